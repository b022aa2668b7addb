import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { OrderRecord } from '#domain/order';
import { requireEnv } from '#platform/config';
import { logger } from '#platform/powertools';
import type { OrderRepository } from '#ports/order-repository';
import { FORBIDDEN, callerOwner, callerPrincipal, header, iamPrincipalOwner, internalError, orderIdParameter, problem } from './http';
import { type LocalApiKeys, samLocalApiKeys } from './local-api-keys';
import { type SamLocalIam, samLocalIam } from './local-iam';

/** What every API function reads from its environment at init (in its index.ts) and hands to its endpoint. */
export interface ApiSettings {
  /** CORS_ALLOW_ORIGIN: mirrors the API's CORS configuration, on every response. */
  allowOrigin: string;
  /** Under `sam local` only: the keys callers present in X-Api-Key (local-api-keys.ts). */
  samLocalKeys: LocalApiKeys | undefined;
  /** Under `sam local` only: the local IAM users whose SigV4 requests the function verifies itself (local-iam.ts). */
  samLocalIam?: SamLocalIam | undefined;
}

/** Reads ApiSettings from the environment; a missing CORS_ALLOW_ORIGIN or a malformed LOCAL_API_KEYS fails the cold start. */
export function apiSettingsFromEnv(): ApiSettings {
  const samLocalKeys = samLocalApiKeys(process.env);
  if (samLocalKeys?.size === 0) {
    logger.warn('AWS_SAM_LOCAL is true but LOCAL_API_KEYS is empty, so every request gets 403: pass --env-vars with LOCAL_API_KEYS (docs/sam-local.md)');
  }
  return { allowOrigin: requireEnv('CORS_ALLOW_ORIGIN'), samLocalKeys, samLocalIam: samLocalIam(process.env) };
}

/**
 * The caller: its owner id, and whether it is an IAM principal. Under `sam local`, a request with
 * an Authorization header is verified here as API Gateway would (a refusal is its 403 response).
 */
export function identifyCaller(event: APIGatewayProxyEvent, api: ApiSettings): { owner?: string; iam: boolean } | { response: APIGatewayProxyResult } {
  // An IAM route is checked even unsigned, so it answers Missing Authentication Token as on AWS.
  if (api.samLocalIam && (header(event, 'authorization') !== undefined || api.samLocalIam.isIamRoute(event))) {
    const verified = api.samLocalIam.authorize(event);
    if (!verified.ok) return { response: verified.response };
    return { owner: iamPrincipalOwner(verified.userArn), iam: true };
  }
  const principal = callerPrincipal(event);
  if (principal) return { owner: principal, iam: true };
  const owner = callerOwner(event, api.samLocalKeys);
  return owner ? { owner, iam: false } : { iam: false };
}

/** An API function's testable core: its dependencies and the proxy event in, the proxy result out. */
export type Endpoint<D> = (deps: D, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * The preamble every API function shares: the caller's owner id, its API key id or its IAM
 * principal (403 without one, as API Gateway itself answers), and the CORS origin on every response.
 */
export function endpoint<D extends { api: ApiSettings }>(
  handle: (deps: D, event: APIGatewayProxyEvent, callerOwner: string) => Promise<APIGatewayProxyResult>,
): Endpoint<D> {
  return async (deps, event) => {
    const caller = identifyCaller(event, deps.api);
    const response = 'response' in caller ? caller.response : caller.owner ? await handle(deps, event, caller.owner) : FORBIDDEN;
    return { ...response, headers: { ...response.headers, 'Access-Control-Allow-Origin': deps.api.allowOrigin } };
  };
}

/** What an /orders/{orderId} endpoint needs to find the caller's order. */
export interface OrderEndpointDependencies {
  api: ApiSettings;
  orders: Pick<OrderRepository, 'get'>;
}

/**
 * An /orders/{orderId} endpoint: 400 for a malformed id, and 404 unless the order exists and the
 * caller (key or IAM principal) owns it (another key's order looks missing, so ids cannot be probed). Errors the
 * handler does not map are 500, or 503 for an unavailable dependency.
 */
export function ownedOrderEndpoint<D extends OrderEndpointDependencies>(
  handle: (deps: D, order: OrderRecord, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
): Endpoint<D> {
  return endpoint<D>(async (deps, event, caller) => {
    const id = orderIdParameter(event);
    if (!id.ok) return id.response;
    try {
      const order = await deps.orders.get(id.orderId);
      if (!order || order.ownerApiKeyId !== caller) return problem(404, 'Order not found');
      return await handle(deps, order, event);
    } catch (error) {
      return internalError(error);
    }
  });
}
