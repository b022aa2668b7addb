import type { OrderView } from '#api/order-view';
import type { OrderStatus } from '#domain/order';

/*
 * The operator routes' bodies as issue 14 specifies them. Their handlers are built apart from the
 * client; once they exist, these re-export the handlers' own types instead (the contract test on
 * docs/openapi.yaml then holds the client to them).
 */

/** GET /admin/orders/{orderId}: any order's view with its step timeline and its execution ARN. */
export type AdminOrderView = OrderView & {
  /** The order's Step Functions execution; null when its workflow never started. */
  executionArn: string | null;
};

/** GET /admin/orders: a page of orders, newest first; `cursor` is present when there are more. */
export interface AdminOrderList {
  orders: OrderView[];
  /** Opaque: pass it back unchanged as ?cursor= for the next page. */
  cursor?: string;
}

/** POST /admin/orders/{orderId}/retry: what the retry did. */
export interface AdminRetryResult {
  orderId: string;
  /** REDRIVEN: the failed execution was redriven now; ALREADY_REDRIVEN: an earlier retry did, so nothing was done. */
  outcome: 'REDRIVEN' | 'ALREADY_REDRIVEN';
  status: OrderStatus;
  executionArn: string;
}

