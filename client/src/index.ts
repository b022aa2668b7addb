/** @order-processing/client: the typed client of the orders API. */
export { OrdersClient, newIdempotencyKey } from './orders-client';
export type { AdminOrderQuery, CallOptions, OrdersClientOptions, PlaceOrderOptions, PlacedOrder, SubscribeOptions, WaitOptions } from './orders-client';
export { Conflict, Forbidden, NetworkError, NotFound, OrderFailed, OrdersApiError, RequestTimeout, ServiceUnavailable, Throttled, ValidationError, WaitTimeout } from './errors';
export { DEFAULT_RETRY, backoffDelay, retryAfterMs } from './transport';
export type { ApiResponse, RequestSigner, RetryEvent, RetryOptions, SendOptions, SignableRequest } from './transport';
export type * from './generated/api-types';
