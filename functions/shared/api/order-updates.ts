import { describeError } from '#domain/errors';
import { type OrderRecord, isTerminal } from '#domain/order';
import { logger } from '#platform/powertools';
import type { ConnectionPush, OrderSubscriptions } from '#ports/order-subscriptions';
import { type OrderView, toOrderView } from './order-view';

/**
 * Why a view was sent: `snapshot` answers the client's `{"action":"snapshot"}` (the order as read
 * then), `change` is pushed after a write. A push can arrive before the snapshot's answer, and a
 * snapshot can already show a later status than pushes still on their way, so only the snapshot
 * tells a client from which status on it is owed every change.
 */
export type OrderUpdateReason = 'snapshot' | 'change';

/**
 * The one message a subscriber receives, for the snapshot on connect and for every change: the whole
 * customer view (the same OrderView GET /orders/{id} returns). Whole views, not diffs, make a
 * duplicate or a reordered message harmless: the client keeps the view with the latest updatedAt.
 */
export interface OrderUpdateMessage {
  type: 'order';
  reason: OrderUpdateReason;
  order: OrderView;
}

/** The message for an order; basePath is the REST API's /orders path (ORDERS_BASE_PATH) for the view's links. */
export function orderUpdateMessage(order: OrderRecord, basePath: string, reason: OrderUpdateReason): string {
  const message: OrderUpdateMessage = { type: 'order', reason, order: toOrderView(order, basePath) };
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
  return orderViewPusher(deps, order.orderId).push(order);
}

/** Pushes one order's views, in turn, to the connections looked up once (orderViewPusher). */
export interface OrderViewPusher {
  /** Pushes one view, as pushOrderView does; call it for the order's views one after the other, in write order. */
  push(order: OrderRecord): Promise<PushSummary>;
}

/**
 * A pusher for several views of one order that Queries the order's connections once, at its first
 * push, instead of once per view: for a stream batch, whose changes were all written before the batch
 * was read. A connection that subscribes after the lookup misses nothing, since its snapshot reads the
 * order after the lookup and so sees the batch's latest change. Each view goes to the connections
 * still open: one that answered gone, or was closed after a terminal view, gets nothing more from
 * this pusher (even if its row survives, or the byOrder index still lists it). A lookup that fails is
 * thrown and made again at the next push.
 */
export function orderViewPusher(deps: PushOrderViewDependencies, orderId: string): OrderViewPusher {
  let connections: Promise<string[]> | undefined;
  const done = new Set<string>();
  return {
    async push(order) {
      if (order.orderId !== orderId) throw new Error(`This pusher serves order ${orderId}, not ${order.orderId}`);
      connections ??= deps.subscriptions.forOrder(orderId).catch((error: unknown) => {
        connections = undefined;
        throw error;
      });
      const open = (await connections).filter((connectionId) => !done.has(connectionId));
      const message = orderUpdateMessage(order, deps.ordersBasePath, 'change');
      const terminal = isTerminal(order.status);
      const summary: PushSummary = { sent: 0, gone: 0, closed: 0 };
      const failures: unknown[] = [];
      await Promise.all(
        open.map(async (connectionId) => {
          try {
            if ((await deps.push.post(connectionId, message)) === 'gone') {
              summary.gone += 1;
              done.add(connectionId);
              const now = deps.now?.() ?? new Date();
              await deps.subscriptions.forgetGone(connectionId, new Date(now.getTime() - CONNECT_GRACE_MS));
              return;
            }
            summary.sent += 1;
            if (terminal) {
              done.add(connectionId);
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
    },
  };
}
