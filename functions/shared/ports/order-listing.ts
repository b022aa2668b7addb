import type { Money } from '#domain/money';
import type { FailureRecord, OrderStatus } from '#domain/order';

/** One row of the operators' list: what the byStatus index projects. */
export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  createdAt: string;
  customerId: string;
  /** The owner id: an API key id or an IAM principal ARN. */
  owner: string;
  total: Money;
  failure: FailureRecord | null;
}

/** Where the next page starts: the index position of the last row returned. */
export interface ListPosition {
  orderId: string;
  status: OrderStatus;
  createdAt: string;
}

export interface ListQuery {
  status: OrderStatus;
  /** Inclusive ISO-8601 bounds on createdAt. */
  from?: string;
  to?: string;
  limit: number;
  after?: ListPosition;
}

/** Read port for the operators' order list: one status, newest first, by createdAt. */
export interface OrderListing {
  list(query: ListQuery): Promise<{ orders: OrderSummary[]; next?: ListPosition }>;
}
