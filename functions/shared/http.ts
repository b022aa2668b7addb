import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DependencyUnavailable, classifyDependencyError } from './dependency-errors';
import { describeError } from './errors';
import type { FieldError } from './orders/order-request';
import { ORDER_ID_PATTERN } from './orders/order-ids';
import { logger } from './powertools';

/** Headers every response carries. CORS_ALLOW_ORIGIN mirrors the API's CORS configuration. */
function baseHeaders(): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Access-Control-Allow-Origin': process.env.CORS_ALLOW_ORIGIN ?? '*',
  };
}

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...baseHeaders(), ...headers }, body: JSON.stringify(body) };
}

/** A JSON error in the API's error shape: `{message, errors?}`. */
export function problem(statusCode: number, message: string, errors?: FieldError[]): APIGatewayProxyResult {
  return json(statusCode, errors ? { message, errors } : { message });
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

/** Case-insensitive header lookup. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  // Fixtures and some test tools send `headers: null` despite the type.
  const headers = event.headers as Record<string, string | undefined> | null;
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The API key id API Gateway attached to the request; orders belong to it. */
export function callerKeyId(event: APIGatewayProxyEvent): string | undefined {
  const id = event.requestContext.identity.apiKeyId;
  return id ? id : undefined;
}

/** The /orders base path as the client addressed it (stage prefix included), for links. */
export function ordersBasePath(event: APIGatewayProxyEvent): string {
  const path = event.requestContext.path || event.path;
  const index = path.indexOf('/orders');
  return index >= 0 ? path.slice(0, index) + '/orders' : '/orders';
}

/** Validates the {orderId} path parameter. */
export function orderIdParameter(event: APIGatewayProxyEvent): { ok: true; orderId: string } | { ok: false; response: APIGatewayProxyResult } {
  const orderId = event.pathParameters?.orderId;
  if (orderId && ORDER_ID_PATTERN.test(orderId)) return { ok: true, orderId };
  return {
    ok: false,
    response: problem(400, 'Invalid order id', [{ path: 'orderId', message: 'Must look like ord_ followed by 32 hex characters' }]),
  };
}

/** The 403 API Gateway itself returns without a valid key; used if a request arrives without one. */
export const FORBIDDEN: APIGatewayProxyResult = { statusCode: 403, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Forbidden"}' };
