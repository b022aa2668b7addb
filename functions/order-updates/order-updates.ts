import { orderUpdateMessage } from '#api/order-updates';
import { describeError } from '#domain/errors';
import { isTerminal } from '#domain/order';
import { logger } from '#platform/powertools';
import type { OrderRepository } from '#ports/order-repository';
import type { ConnectionPush, OrderSubscriptions } from '#ports/order-subscriptions';

/** The parts of an API Gateway WebSocket proxy event this function reads. */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    connectionId: string;
    /** The $connect authorizer's context (authorize-updates.ts), on $connect. */
    authorizer?: { orderId?: unknown; ownerApiKeyId?: unknown } | null;
  };
  body?: string | null;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

export interface OrderUpdatesDependencies {
  subscriptions: OrderSubscriptions;
  orders: Pick<OrderRepository, 'get'>;
  push: ConnectionPush;
  ordersBasePath: string;
  now: () => Date;
}

/** What a client sends after it connects to ask for the current view (docs/realtime-updates.md). */
export const SNAPSHOT_REQUEST = 'snapshot';

/**
 * The WebSocket routes: $connect records the subscription the authorizer granted, $disconnect
 * forgets it, and a message asks for the snapshot. One function serves all three because they share
 * their dependencies and each is a few lines, so one warm environment serves a client's connect and
 * its first message back to back; the authorizer is separate, with only the ticket key.
 */
export async function handleOrderUpdates(deps: OrderUpdatesDependencies, event: WebSocketEvent): Promise<WebSocketResult> {
  const { routeKey, connectionId } = event.requestContext;
  switch (routeKey) {
    case '$connect':
      return connect(deps, event);
    case '$disconnect':
      await deps.subscriptions.unsubscribe(connectionId);
      return { statusCode: 200 };
    default:
      return message(deps, connectionId, event.body);
  }
}

async function connect(deps: OrderUpdatesDependencies, event: WebSocketEvent): Promise<WebSocketResult> {
  const { connectionId, authorizer } = event.requestContext;
  const orderId = authorizer?.orderId;
  const ownerApiKeyId = authorizer?.ownerApiKeyId;
  // Only reachable without the authorizer (a misconfigured route or a direct invoke): refuse.
  if (typeof orderId !== 'string' || typeof ownerApiKeyId !== 'string') return { statusCode: 403 };
  logger.appendKeys({ orderId });
  await deps.subscriptions.subscribe({ connectionId, orderId, ownerApiKeyId }, deps.now());
  return { statusCode: 200 };
}

function requestedAction(body: string | null | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { action?: unknown }).action === 'string'
      ? (parsed as { action: string }).action
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The snapshot: API Gateway cannot post to a connection until $connect has returned, so the client
 * asks for the current view with its first message, and gets it on this connection. A terminal
 * order's snapshot is the last message: the connection is closed after it.
 */
async function message(deps: OrderUpdatesDependencies, connectionId: string, body: string | null | undefined): Promise<WebSocketResult> {
  if (requestedAction(body) !== SNAPSHOT_REQUEST) {
    await deps.push.post(connectionId, JSON.stringify({ type: 'error', message: `Unknown message; send {"action":"${SNAPSHOT_REQUEST}"}` }));
    return { statusCode: 400 };
  }
  const subscription = await deps.subscriptions.get(connectionId);
  const order = subscription ? await deps.orders.get(subscription.orderId) : undefined;
  if (subscription) logger.appendKeys({ orderId: subscription.orderId });
  // The owner check repeats the ticket's, so a subscription can never show another key's order.
  if (!subscription || !order || order.ownerApiKeyId !== subscription.ownerApiKeyId) {
    await deps.push.close(connectionId);
    await deps.subscriptions.unsubscribe(connectionId);
    return { statusCode: 404 };
  }
  if ((await deps.push.post(connectionId, orderUpdateMessage(order, deps.ordersBasePath, 'snapshot'))) === 'gone' || isTerminal(order.status)) {
    await deps.push.close(connectionId).catch((error: unknown) => {
      logger.warn('Closing a connection failed', { error: describeError(error) });
    });
    await deps.subscriptions.unsubscribe(connectionId);
  }
  return { statusCode: 200 };
}
