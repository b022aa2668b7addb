import { signUpdateTicket } from '#domain/update-ticket';
import type { OrderRecord } from '#domain/order';
import type { ConnectionPush, Delivery, OrderSubscription, OrderSubscriptions } from '#ports/order-subscriptions';
import { type OrderUpdatesDependencies, type WebSocketEvent, handleOrderUpdates } from '../../../functions/order-updates/order-updates';
import { Unauthorized, authorizeUpdates } from '../../../functions/updates-authorizer/authorize-updates';
import { MemoryOrderRepository } from '../../support/memory-stores';
import { orderRecord } from '../../support/orders';

const KEY = 'authorizer-test-key';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/$connect';
const ORDER_A = `ord_${'a'.repeat(32)}`;
const ORDER_B = `ord_${'b'.repeat(32)}`;

describe('the $connect authorizer', () => {
  const deps = { ticketKey: () => Promise.resolve(KEY), now: () => NOW };
  const authorize = (query: Record<string, string>) => authorizeUpdates(deps, { methodArn: METHOD_ARN, queryStringParameters: query });
  const ticket = (orderId = ORDER_A, at = NOW) => signUpdateTicket(KEY, { orderId, ownerApiKeyId: 'key-a' }, at, 300);

  it('allows a valid ticket on this $connect and passes the order and owner it names as context', async () => {
    expect(await authorize({ orderId: ORDER_A, ticket: ticket() })).toEqual({
      principalId: 'key-a',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: { orderId: ORDER_A, ownerApiKeyId: 'key-a' },
    });
  });

  it('denies (403) a valid ticket presented for another order', async () => {
    const result = await authorize({ orderId: ORDER_B, ticket: ticket(ORDER_A) });
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toBeUndefined();
  });

  it.each([
    ['no ticket', {}],
    ['an expired ticket', { ticket: ticket(ORDER_A, NOW - 301_000) }],
    ['a tampered ticket', { ticket: ticket().replace(/.$/, (last) => (last === '0' ? '1' : '0')) }],
    ['a malformed ticket', { ticket: 'hello' }],
  ])('refuses %s as Unauthorized (401)', async (_name, query: Record<string, string>) => {
    await expect(authorize(query)).rejects.toThrow(Unauthorized);
    await expect(authorize(query)).rejects.toThrow(/^Unauthorized$/);
  });
});

class MemorySubscriptions implements OrderSubscriptions {
  readonly rows = new Map<string, OrderSubscription & { expiresAt: number; connectedAt: Date }>();
  subscribe(subscription: OrderSubscription, now: Date): Promise<void> {
    this.rows.set(subscription.connectionId, { ...subscription, expiresAt: now.getTime() / 1000 + 7200, connectedAt: now });
    return Promise.resolve();
  }
  forgetGone(connectionId: string, connectedBefore: Date): Promise<boolean> {
    const row = this.rows.get(connectionId);
    if (!row || row.connectedAt >= connectedBefore) return Promise.resolve(false);
    this.rows.delete(connectionId);
    return Promise.resolve(true);
  }
  get(connectionId: string): Promise<OrderSubscription | undefined> {
    const row = this.rows.get(connectionId);
    return Promise.resolve(row ? { connectionId: row.connectionId, orderId: row.orderId, ownerApiKeyId: row.ownerApiKeyId } : undefined);
  }
  forOrder(orderId: string): Promise<string[]> {
    return Promise.resolve([...this.rows.values()].filter((row) => row.orderId === orderId).map((row) => row.connectionId));
  }
  unsubscribe(connectionId: string): Promise<void> {
    this.rows.delete(connectionId);
    return Promise.resolve();
  }
}

class RecordingPush implements ConnectionPush {
  readonly posted: { connectionId: string; message: { type: string; order?: { orderId: string; status: string } } }[] = [];
  readonly closed: string[] = [];
  post(connectionId: string, message: string): Promise<Delivery> {
    this.posted.push({ connectionId, message: JSON.parse(message) as RecordingPush['posted'][number]['message'] });
    return Promise.resolve('sent');
  }
  close(connectionId: string): Promise<void> {
    this.closed.push(connectionId);
    return Promise.resolve();
  }
}

describe('the WebSocket routes (order-updates)', () => {
  async function setup(order: OrderRecord) {
    const orders = new MemoryOrderRepository();
    await orders.create(order);
    const subscriptions = new MemorySubscriptions();
    const push = new RecordingPush();
    const deps: OrderUpdatesDependencies = { subscriptions, orders, push, ordersBasePath: '/dev/orders', now: () => new Date(NOW) };
    return { deps, subscriptions, push };
  }
  const event = (routeKey: string, connectionId: string, extra: Partial<WebSocketEvent> & { authorizer?: Record<string, string> } = {}): WebSocketEvent => ({
    requestContext: { routeKey, eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE', connectionId, authorizer: extra.authorizer ?? null },
    body: extra.body ?? null,
  });

  it('records the connection for the order the authorizer granted, with a two-hour TTL', async () => {
    const order = orderRecord();
    const { deps, subscriptions } = await setup(order);
    const result = await handleOrderUpdates(deps, event('$connect', 'c1', { authorizer: { orderId: order.orderId, ownerApiKeyId: 'key-a' } }));
    expect(result.statusCode).toBe(200);
    expect(subscriptions.rows.get('c1')).toEqual({ connectionId: 'c1', orderId: order.orderId, ownerApiKeyId: 'key-a', expiresAt: NOW / 1000 + 7200, connectedAt: new Date(NOW) });
  });

  it('refuses $connect without the authorizer context', async () => {
    const { deps, subscriptions } = await setup(orderRecord());
    expect((await handleOrderUpdates(deps, event('$connect', 'c1'))).statusCode).toBe(403);
    expect(subscriptions.rows.size).toBe(0);
  });

  it('answers {"action":"snapshot"} with the current view on that connection, and keeps an open order open', async () => {
    const order = orderRecord(undefined, { status: 'PAYMENT_AUTHORIZED' });
    const { deps, push } = await setup(order);
    await handleOrderUpdates(deps, event('$connect', 'c1', { authorizer: { orderId: order.orderId, ownerApiKeyId: 'key-a' } }));
    await handleOrderUpdates(deps, event('$default', 'c1', { body: '{"action":"snapshot"}' }));
    expect(push.posted).toHaveLength(1);
    expect(push.posted[0]).toMatchObject({ connectionId: 'c1', message: { type: 'order', reason: 'snapshot', order: { orderId: order.orderId, status: 'PAYMENT_AUTHORIZED' } } });
    expect(push.closed).toEqual([]);
  });

  it('closes the connection after the snapshot of a terminal order and forgets it', async () => {
    const order = orderRecord(undefined, { status: 'COMPLETED' });
    const { deps, push, subscriptions } = await setup(order);
    await handleOrderUpdates(deps, event('$connect', 'c1', { authorizer: { orderId: order.orderId, ownerApiKeyId: 'key-a' } }));
    await handleOrderUpdates(deps, event('$default', 'c1', { body: '{"action":"snapshot"}' }));
    expect(push.posted.map((entry) => entry.message.order?.status)).toEqual(['COMPLETED']);
    expect(push.closed).toEqual(['c1']);
    expect(subscriptions.rows.size).toBe(0);
  });

  it("closes without a view when the subscription's owner does not own the order", async () => {
    const order = orderRecord();
    const { deps, push } = await setup(order);
    await handleOrderUpdates(deps, event('$connect', 'c1', { authorizer: { orderId: order.orderId, ownerApiKeyId: 'key-b' } }));
    expect((await handleOrderUpdates(deps, event('$default', 'c1', { body: '{"action":"snapshot"}' }))).statusCode).toBe(404);
    expect(push.posted).toEqual([]);
    expect(push.closed).toEqual(['c1']);
  });

  it('answers any other message with an error message and no view', async () => {
    const order = orderRecord();
    const { deps, push } = await setup(order);
    await handleOrderUpdates(deps, event('$connect', 'c1', { authorizer: { orderId: order.orderId, ownerApiKeyId: 'key-a' } }));
    await handleOrderUpdates(deps, event('$default', 'c1', { body: 'hello' }));
    expect(push.posted.map((entry) => entry.message.type)).toEqual(['error']);
  });

  it('forgets the connection on $disconnect', async () => {
    const order = orderRecord();
    const { deps, subscriptions } = await setup(order);
    await handleOrderUpdates(deps, event('$connect', 'c1', { authorizer: { orderId: order.orderId, ownerApiKeyId: 'key-a' } }));
    await handleOrderUpdates(deps, event('$disconnect', 'c1'));
    expect(subscriptions.rows.size).toBe(0);
  });
});
