import type { ErrorBody, FieldError, OrderFailedBody, OrderView } from './generated/api-types';

/** Any answer of the API other than success: the status, the message and the whole body. */
export class OrdersApiError extends Error {
  override name = 'OrdersApiError';

  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
    readonly headers: Headers | undefined,
  ) {
    super(message);
  }
}

/** 400, 413, 415, or 422 for an order that cannot be sold: `fieldErrors` names every bad field. */
export class ValidationError extends OrdersApiError {
  override name = 'ValidationError';
  readonly fieldErrors: FieldError[];

  constructor(message: string, status: number, body: ErrorBody, headers: Headers | undefined) {
    super(message, status, body, headers);
    this.fieldErrors = body.errors ?? [];
  }
}

/** 403: the API key or the IAM principal may not call this route (or the signature was refused). */
export class Forbidden extends OrdersApiError {
  override name = 'Forbidden';
}

/** 404: no such order for this caller. */
export class NotFound extends OrdersApiError {
  override name = 'NotFound';
}

/** 409: an Idempotency-Key reused with another body, a receipt not yet available, or an order that cannot be retried. */
export class Conflict extends OrdersApiError {
  override name = 'Conflict';
}

/** 429 still answered after every retry. */
export class Throttled extends OrdersApiError {
  override name = 'Throttled';
}

/** 503 (or another 5xx) still answered after every retry. */
export class ServiceUnavailable extends OrdersApiError {
  override name = 'ServiceUnavailable';
}

/** The order ended FAILED: `order` is its final view, `failure` why. */
export class OrderFailed extends Error {
  override name = 'OrderFailed';

  constructor(readonly order: OrderView) {
    super(order.failure?.message ?? `Order ${order.orderId} failed`);
  }

  get failure(): OrderView['failure'] {
    return this.order.failure;
  }
}

/** No response within the timeout, on every attempt. */
export class RequestTimeout extends Error {
  override name = 'RequestTimeout';
}

/** The network failed (connection refused or reset) on every attempt. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** waitForOrder's deadline passed before the order was terminal; `order` is the last view seen. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';

  constructor(readonly order: OrderView | undefined) {
    super(`Order ${order?.orderId ?? ''} was not terminal in time (last status ${order?.status ?? 'unknown'})`);
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string';
}

function isOrderFailedBody(body: unknown): body is OrderFailedBody {
  return isErrorBody(body) && typeof (body as { orderId?: unknown }).orderId === 'string' && (body as { status?: unknown }).status === 'FAILED';
}

/** The typed error for a non-2xx answer. */
export function errorFor(status: number, body: unknown, headers: Headers | undefined): Error {
  const message = isErrorBody(body) ? body.message : `HTTP ${status}`;
  if (status === 422 && isOrderFailedBody(body)) {
    const { message: _message, ...view } = body;
    return new OrderFailed(view);
  }
  if ((status === 400 || status === 413 || status === 415 || status === 422) && isErrorBody(body)) return new ValidationError(message, status, body, headers);
  if (status === 403) return new Forbidden(message, status, body, headers);
  if (status === 404) return new NotFound(message, status, body, headers);
  if (status === 409) return new Conflict(message, status, body, headers);
  if (status === 429) return new Throttled(message, status, body, headers);
  if (status >= 500) return new ServiceUnavailable(message, status, body, headers);
  return new OrdersApiError(message, status, body, headers);
}
