import { orderRepositoryFromEnv } from '#adapters/from-env';
import { connectionPushFromEnv, orderSubscriptionsFromEnv, ordersBasePathFromEnv } from '#adapters/realtime-from-env';
import { instrumented } from '#platform/tracing';
import { type OrderUpdatesDependencies, type WebSocketEvent, handleOrderUpdates } from './order-updates';

const dependencies: OrderUpdatesDependencies = {
  subscriptions: orderSubscriptionsFromEnv(),
  orders: orderRepositoryFromEnv(),
  push: connectionPushFromEnv(),
  ordersBasePath: ordersBasePathFromEnv(),
  now: () => new Date(),
};

/** The WebSocket API's $connect, $disconnect and $default routes. Thin: the routes live beside it in order-updates.ts. */
export const handler = instrumented(
  () => ({}),
  (event: WebSocketEvent) => handleOrderUpdates(dependencies, event),
);
