import { type PushOrderViewDependencies, type PushSummary, orderViewPusher } from '#api/order-updates';
import { describeError } from '#domain/errors';
import type { OrderRecord } from '#domain/order';
import { logger } from '#platform/powertools';
import type { OrderChangeConsumer } from './publish-order-changes';

/** Counts for the push consumer, as a port so tests can record them. */
export interface OrderViewPushMetrics {
  pushed(summary: PushSummary): void;
  failed(): void;
}

/**
 * The consumer that pushes the order view after each change to the order's WebSocket subscribers
 * (docs/realtime-updates.md). Orders are pushed concurrently and each order's changes one after the
 * other, so a subscriber gets an order's views in write order while one slow order does not hold up
 * the others. Each order's connections are looked up once per batch (orderViewPusher), since every
 * change in the batch was written before the batch was read. The changes handled are the ones before
 * the first change whose push failed: an order stops at its first failure (its later changes wait for
 * the retry), and a change that starts after a failure of an earlier change is not pushed, since the
 * retry will push it again anyway. Changes of other orders that were already pushed are pushed again
 * on the retry; whole-view messages make that harmless (the client keeps the view with the latest
 * updatedAt). A delete pushes nothing.
 */
export function orderViewPushConsumer(deps: PushOrderViewDependencies, metrics: OrderViewPushMetrics): OrderChangeConsumer {
  return {
    name: 'order-view-push',
    async consume(changes) {
      const byOrder = new Map<string, { index: number; order: OrderRecord }[]>();
      for (const [index, change] of changes.entries()) {
        const order = change.newOrder;
        if (!order) continue;
        byOrder.set(order.orderId, [...(byOrder.get(order.orderId) ?? []), { index, order }]);
      }
      let firstFailed = changes.length;
      await Promise.all(
        [...byOrder].map(async ([orderId, orderChanges]) => {
          const pusher = orderViewPusher(deps, orderId);
          for (const { index, order } of orderChanges) {
            if (index > firstFailed) return;
            try {
              metrics.pushed(await pusher.push(order));
            } catch (error) {
              metrics.failed();
              logger.warn('Pushing the order view failed', { orderId: order.orderId, status: order.status, error: describeError(error) });
              firstFailed = Math.min(firstFailed, index);
              return;
            }
          }
        }),
      );
      return firstFailed;
    },
  };
}
