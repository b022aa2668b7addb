import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header, requestBody } from '#api/http';
import { type FieldError, type OrderRequest, validateOrderRequest } from '#domain/order-request';

/** Bodies above this many bytes get 413 (API Gateway's own limit is 10 MB). */
export const MAX_BODY_BYTES = 16 * 1024;
/** API Gateway's 29 s integration timeout leaves room for at most this much waiting. */
export const MAX_WAIT_SECONDS = 25;

export type ParsedCreateOrder =
  | { ok: true; request: OrderRequest; idempotencyKey?: string; waitSeconds: number }
  | { ok: false; statusCode: 400 | 413 | 415; message: string; errors?: FieldError[] };

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Turns a POST /orders event into a validated command, or the exact client error. */
export function parseCreateOrder(event: APIGatewayProxyEvent): ParsedCreateOrder {
  const contentType = header(event, 'content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType.trim())) {
    return { ok: false, statusCode: 415, message: 'Content-Type must be application/json' };
  }
  const received = requestBody(event);
  if (!received.ok) return { ok: false, statusCode: 400, message: received.message, errors: [{ path: '(body)', message: 'Not base64' }] };
  const { bytes } = received;
  if (bytes.length > MAX_BODY_BYTES) {
    return { ok: false, statusCode: 413, message: `Request body must be at most ${MAX_BODY_BYTES} bytes` };
  }

  const headerErrors: FieldError[] = [];
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    headerErrors.push({ path: 'headers.Idempotency-Key', message: 'Must be 1-255 printable ASCII characters without spaces' });
  }
  const wait = parsePreferWait(header(event, 'prefer'));
  if (wait === 'invalid') headerErrors.push({ path: 'headers.Prefer', message: 'wait must be a whole number of seconds, e.g. "wait=10"' });

  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, statusCode: 400, message: 'Request body is not valid JSON', errors: [...headerErrors, { path: '(body)', message: 'Not valid JSON' }] };
  }
  const validation = validateOrderRequest(body);
  const errors = [...headerErrors, ...(validation.ok ? [] : validation.errors)];
  if (!validation.ok || errors.length > 0 || wait === 'invalid') {
    return { ok: false, statusCode: 400, message: 'The order request is invalid', errors };
  }
  return { ok: true, request: validation.value, waitSeconds: wait, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) };
}

/** Reads `wait=N` from an RFC 7240 Prefer header; N is capped at MAX_WAIT_SECONDS. */
export function parsePreferWait(prefer: string | undefined): number | 'invalid' {
  if (prefer === undefined) return 0;
  for (const preference of prefer.split(',')) {
    const [name, ...rest] = preference.split('=');
    if (name?.trim().toLowerCase() !== 'wait') continue;
    const value = rest.join('=').split(';')[0]?.trim().replace(/^"(.*)"$/, '$1') ?? '';
    if (!/^\d{1,6}$/.test(value)) return 'invalid';
    return Math.min(Number(value), MAX_WAIT_SECONDS);
  }
  return 0;
}
