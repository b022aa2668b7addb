import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describeError } from '#domain/errors';
import { ORDER_ID_PATTERN } from '#domain/order-ids';
import type { FieldError } from '#domain/order-request';
import { DependencyUnavailable, classifyDependencyError } from '#platform/dependency-errors';
import { logger } from '#platform/powertools';
import type { LocalApiKeys } from './local-api-keys';

/**
 * Headers every response carries; the endpoint wrapper adds the CORS origin (endpoint.ts). The
 * exposed headers are set here because an `AWS::Serverless::Api` Cors block cannot carry
 * ExposeHeaders (SAM's translator rejects it), and without them browsers cannot read these.
 * Nothing here reads the environment, so the functions' testable modules import it without one.
 */
const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Access-Control-Expose-Headers': 'Location,Idempotent-Replayed,Preference-Applied',
};

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The body of every error response (the API's, and API Gateway's own, which carry only `message`). */
export interface ErrorBody {
  message: string;
  errors?: FieldError[];
}

/** A JSON error in the API's error shape: `{message, errors?}`. */
export function problem(statusCode: number, message: string, errors?: FieldError[]): APIGatewayProxyResult {
  const body: ErrorBody = errors ? { message, errors } : { message };
  return json(statusCode, body);
}

/**
 * The response for an unexpected error: logged in full, reported without details. A throttled or
 * unreachable AWS dependency is 503 with Retry-After, because retrying (with the same
 * Idempotency-Key) is safe.
 */
export function internalError(error: unknown): APIGatewayProxyResult {
  if (classifyDependencyError(error) instanceof DependencyUnavailable) {
    logger.warn('Dependency unavailable', { error: describeError(error) });
    return json(503, { message: 'Service temporarily unavailable; retry shortly' }, { 'Retry-After': '1' });
  }
  logger.error('Unhandled error', { error: describeError(error) });
  return problem(500, 'Internal server error');
}

/**
 * The parts of a proxy event the handlers read, as they may really arrive. A direct invoke
 * (`aws lambda invoke --payload '{}'`), a generated fixture or a test tool can send a partial
 * event despite the type; such an event must get a 4xx, never a TypeError.
 */
interface ReceivedEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean | null;
  path?: string | null;
  pathParameters?: Record<string, string | undefined> | null;
  requestContext?: { path?: string | null; identity?: { apiKeyId?: string | null; userArn?: string | null } | null } | null;
}

function received(event: APIGatewayProxyEvent): ReceivedEvent {
  const value: unknown = event;
  if (typeof value !== 'object' || value === null) return {};
  return value;
}

/** Case-insensitive header lookup: API Gateway keeps the client's case, and so does `sam local`. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(received(event).headers ?? {})) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The request body as bytes. `isBase64Encoded: true` means base64 on API Gateway, so it is
 * decoded; a body so marked that is not base64 is refused rather than guessed at (`sam local
 * generate-event apigateway aws-proxy` writes such events: set isBase64Encoded to false in them).
 */
export function requestBody(event: APIGatewayProxyEvent): { ok: true; bytes: Buffer } | { ok: false; message: string } {
  const { body, isBase64Encoded } = received(event);
  const raw = typeof body === 'string' ? body : '';
  if (isBase64Encoded !== true) return { ok: true, bytes: Buffer.from(raw, 'utf8') };
  // Buffer.from(…, 'base64') silently skips characters outside the alphabet, so check first.
  if (!BASE64.test(raw)) return { ok: false, message: 'The request body is marked isBase64Encoded but is not base64' };
  return { ok: true, bytes: Buffer.from(raw, 'base64') };
}

/**
 * The id of the API key the caller used; orders belong to it. On AWS only API Gateway's
 * `requestContext.identity.apiKeyId` counts. Under `sam local`, which does not emulate API keys,
 * the X-Api-Key header is looked up in LOCAL_API_KEYS instead (local-api-keys.ts).
 */
export function callerKeyId(event: APIGatewayProxyEvent, samLocalKeys: LocalApiKeys | undefined): string | undefined {
  const id = received(event).requestContext?.identity?.apiKeyId;
  if (id) return id;
  return samLocalKeys?.identify(header(event, 'x-api-key'));
}

/**
 * The owner id of a SigV4 (AWS_IAM) caller: API Gateway fills `requestContext.identity.userArn`
 * only after it verified the signature. An assumed role's session name is dropped, so every session
 * of one role (a warehouse service's Lambda, say) owns the same orders. The id is an ARN, which no
 * API key id can be (those have no ':'), so key-owned and principal-owned orders never mix.
 */
export function iamPrincipalOwner(userArn: string | null | undefined): string | undefined {
  if (!userArn?.startsWith('arn:')) return undefined;
  const assumed = /^(arn:[^:]+:sts::\d{12}:assumed-role\/[^/]+)\/[^/]+$/.exec(userArn);
  return assumed?.[1] ?? userArn;
}

/**
 * Who owns what the caller creates and may read: the SigV4 principal on an AWS_IAM route (see
 * iamPrincipalOwner), else the API key id (callerKeyId).
 */
export function callerOwner(event: APIGatewayProxyEvent, samLocalKeys: LocalApiKeys | undefined): string | undefined {
  return callerPrincipal(event) ?? callerKeyId(event, samLocalKeys);
}

/** The owner id of the SigV4 principal API Gateway verified, or undefined for any other caller. */
export function callerPrincipal(event: APIGatewayProxyEvent): string | undefined {
  return iamPrincipalOwner(received(event).requestContext?.identity?.userArn);
}

/**
 * The /orders base path as the client addressed it, for links: `/dev/orders` behind a stage,
 * `/orders` under `sam local` (whose requestContext.path is the resource, without a stage).
 */
export function ordersBasePath(event: APIGatewayProxyEvent): string {
  const { requestContext, path } = received(event);
  const addressed = requestContext?.path || path || '';
  const index = addressed.indexOf('/orders');
  return index >= 0 ? addressed.slice(0, index) + '/orders' : '/orders';
}

/** The raw {orderId} path parameter, for log correlation; may be anything. */
export function pathOrderId(event: APIGatewayProxyEvent): string | undefined {
  return received(event).pathParameters?.orderId;
}

/** Validates the {orderId} path parameter. */
export function orderIdParameter(event: APIGatewayProxyEvent): { ok: true; orderId: string } | { ok: false; response: APIGatewayProxyResult } {
  const orderId = pathOrderId(event);
  if (orderId && ORDER_ID_PATTERN.test(orderId)) return { ok: true, orderId };
  return {
    ok: false,
    response: problem(400, 'Invalid order id', [{ path: 'orderId', message: 'Must look like ord_ followed by 32 hex characters' }]),
  };
}

/** The 403 API Gateway itself returns without a valid key; used if a request arrives without one. */
export const FORBIDDEN: APIGatewayProxyResult = json(403, { message: 'Forbidden' });
