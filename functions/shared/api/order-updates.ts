import { describeError } from '#domain/errors';
import { type OrderRecord, isTerminal } from '#domain/order';
import { logger } from '#platform/powertools';
import type { ConnectionPush, OrderSubscriptions } from '#ports/order-subscriptions';
import { type OrderView, toOrderView } from './order-view';

/**
 * The one message a subscriber receives, for the snapshot on connect and for every change: the whole
 * customer view (the same OrderView GET /orders/{id} returns). Whole views, not diffs, make a
 * duplicate or a reordered message harmless: the client keeps the view with the latest updatedAt.
 */
export interface OrderUpdateMessage {
  type: 'order';
  order: OrderView;
}

/** The message for an order; basePath is the REST API's /orders path (ORDERS_BASE_PATH) for the view's links. */
export function orderUpdateMessage(order: OrderRecord, basePath: string): string {
  const message: OrderUpdateMessage = { type: 'order', order: toOrderView(order, basePath) };
  return JSON.stringify(message);
}

/**
 * How long after its row is written a connection may still be in its $connect (the row is written by
 * the $connect route, and API Gateway waits up to 29 s for an integration), answering GoneException
 * although the subscriber is about to be connected. The subscriber asks for the snapshot once open,
 * so the view it missed reaches it that way.
 */
export const CONNECT_GRACE_MS = 30_000;

export interface PushOrderViewDependencies {
  subscriptions: Pick<OrderSubscriptions, 'forOrder' | 'unsubscribe' | 'forgetGone'>;
  push: ConnectionPush;
  /** The REST API's /orders path, e.g. /dev/orders, as GET builds the view's links. */
  ordersBasePath: string;
  now?: () => Date;
}

export interface PushSummary {
  /** Connections the view was posted to. */
  sent: number;
  /** Connections that were gone (GoneException); their rows were deleted unless they were still connecting. */
  gone: number;
  /** Connections closed because the order is terminal. */
  closed: number;
}

/**
 * Pushes an order's current view to every connection subscribed to it: a gone connection loses its
 * row (unless it may still be in its $connect, CONNECT_GRACE_MS), and once the order is terminal every connection is closed (and its row deleted, since
 * $disconnect is best effort). Every connection is tried; if any failed otherwise (throttling, an
 * outage), the first such error is thrown afterwards so the caller's retry covers it, and connections
 * that did receive the view get it again, which whole-view messages make harmless.
 */
export async function pushOrderView(deps: PushOrderViewDependencies, order: OrderRecord): Promise<PushSummary> {
  const connections = await deps.subscriptions.forOrder(order.orderId);
  const message = orderUpdateMessage(order, deps.ordersBasePath);
  const terminal = isTerminal(order.status);
  const summary: PushSummary = { sent: 0, gone: 0, closed: 0 };
  const failures: unknown[] = [];
  await Promise.all(
    connections.map(async (connectionId) => {
      try {
        if ((await deps.push.post(connectionId, message)) === 'gone') {
          summary.gone += 1;
          const now = deps.now?.() ?? new Date();
          await deps.subscriptions.forgetGone(connectionId, new Date(now.getTime() - CONNECT_GRACE_MS));
          return;
        }
        summary.sent += 1;
        if (terminal) {
          await deps.push.close(connectionId);
          await deps.subscriptions.unsubscribe(connectionId);
          summary.closed += 1;
        }
      } catch (error) {
        logger.warn('Push to a connection failed', { connectionId, error: describeError(error) });
        failures.push(error);
      }
    }),
  );
  if (failures.length > 0) throw failures[0];
  return summary;
}
