import { CONNECT_GRACE_MS, orderViewPusher, pushOrderView } from '#api/order-updates';
import type { OrderRecord } from '#domain/order';
import type { ConnectionPush, Delivery } from '#ports/order-subscriptions';
import { MemorySubscriptions } from '../../support/memory-stores';
import { orderRecord } from '../../support/orders';

/** A management API that records posts and closes; `gone` connections answer GoneException, `failing` ones throw. */
class RecordingPush implements ConnectionPush {
  readonly posted: { connectionId: string; message: unknown }[] = [];
  readonly closed: string[] = [];
  constructor(
    private readonly gone: Set<string> = new Set(),
    private readonly failing: Set<string> = new Set(),
  ) {}
  post(connectionId: string, message: string): Promise<Delivery> {
    if (this.failing.has(connectionId)) return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' }));
    if (this.gone.has(connectionId)) return Promise.resolve('gone');
    this.posted.push({ connectionId, message: JSON.parse(message) });
    return Promise.resolve('sent');
  }
  close(connectionId: string): Promise<void> {
    this.closed.push(connectionId);
    return Promise.resolve();
  }
}

const NOW = new Date('2026-12-01T12:00:00Z');

function setup(order: OrderRecord, rows: [string, string][], push = new RecordingPush(), connectedAt = new Map<string, Date>()) {
  const subscriptions = new MemorySubscriptions(new Map(rows), connectedAt);
  return { subscriptions, push, deps: { subscriptions, push, ordersBasePath: '/dev/orders', now: () => NOW } };
}

describe('pushOrderView', () => {
  it("posts the customer view to every connection subscribed to the order, and to no other order's", async () => {
    const order = orderRecord(undefined, { status: 'SHIPPED' });
    const { deps, push, subscriptions } = setup(order, [['c1', order.orderId], ['c2', order.orderId], ['c3', `ord_${'f'.repeat(32)}`]]);

    expect(await pushOrderView(deps, order)).toEqual({ sent: 2, gone: 0, closed: 0 });

    expect(push.posted.map((entry) => entry.connectionId).sort()).toEqual(['c1', 'c2']);
    expect(push.posted[0]?.message).toMatchObject({ type: 'order', reason: 'change', order: { orderId: order.orderId, status: 'SHIPPED', links: { self: `/dev/orders/${order.orderId}` } } });
    expect(JSON.stringify(push.posted[0]?.message)).not.toMatch(/paymentToken|tok_visa|ownerApiKeyId|Analytical/);
    expect(push.closed).toEqual([]);
    expect(subscriptions.rows.size).toBe(3);
  });

  it('deletes the row of a connection that is gone and still serves the others', async () => {
    const order = orderRecord();
    const { deps, push, subscriptions } = setup(order, [['gone', order.orderId], ['live', order.orderId]], new RecordingPush(new Set(['gone'])));

    expect(await pushOrderView(deps, order)).toEqual({ sent: 1, gone: 1, closed: 0 });

    expect([...subscriptions.rows.keys()]).toEqual(['live']);
    expect(push.posted.map((entry) => entry.connectionId)).toEqual(['live']);
  });

  it('keeps the row of a gone connection that may still be in its $connect, which answers GoneException until it returns', async () => {
    const order = orderRecord();
    const connectedAt = new Map([['connecting', new Date(NOW.getTime() - 2_000)], ['stale', new Date(NOW.getTime() - CONNECT_GRACE_MS - 1)]]);
    const { deps, subscriptions } = setup(order, [['connecting', order.orderId], ['stale', order.orderId]], new RecordingPush(new Set(['connecting', 'stale'])), connectedAt);

    expect(await pushOrderView(deps, order)).toEqual({ sent: 0, gone: 2, closed: 0 });

    // The next push (after the subscriber's snapshot) still finds the connecting subscriber.
    expect([...subscriptions.rows.keys()]).toEqual(['connecting']);
  });

  it.each(['COMPLETED', 'FAILED'] as const)('closes every connection and deletes its row after posting a %s view', async (status) => {
    const order = orderRecord(undefined, { status });
    const { deps, push, subscriptions } = setup(order, [['c1', order.orderId], ['c2', order.orderId]]);

    expect(await pushOrderView(deps, order)).toEqual({ sent: 2, gone: 0, closed: 2 });

    expect(push.posted).toHaveLength(2);
    expect(push.closed.sort()).toEqual(['c1', 'c2']);
    expect(subscriptions.rows.size).toBe(0);
  });

  it('does not close connections while the order is still open', async () => {
    const order = orderRecord(undefined, { status: 'CANCELLING' });
    const { deps, push } = setup(order, [['c1', order.orderId]]);
    await pushOrderView(deps, order);
    expect(push.closed).toEqual([]);
  });

  it('tries every connection, then throws the failure so the caller retries', async () => {
    const order = orderRecord();
    const { deps, push } = setup(order, [['bad', order.orderId], ['ok', order.orderId]], new RecordingPush(new Set(), new Set(['bad'])));

    await expect(pushOrderView(deps, order)).rejects.toThrow('Rate exceeded');
    expect(push.posted.map((entry) => entry.connectionId)).toEqual(['ok']);
  });

  it('does nothing for an order nobody watches', async () => {
    const order = orderRecord();
    const { deps, push } = setup(order, []);
    expect(await pushOrderView(deps, order)).toEqual({ sent: 0, gone: 0, closed: 0 });
    expect(push.posted).toEqual([]);
  });
});

describe('orderViewPusher (one lookup for several views of an order)', () => {
  /** Counts byOrder Queries; the first `failures` of them reject. */
  class CountedSubscriptions extends MemorySubscriptions {
    lookups = 0;
    constructor(
      rows: Map<string, string>,
      private failures = 0,
    ) {
      super(rows);
    }
    override forOrder(orderId: string): Promise<string[]> {
      this.lookups += 1;
      if (this.failures > 0) {
        this.failures -= 1;
        return Promise.reject(Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }));
      }
      return super.forOrder(orderId);
    }
  }

  it('looks the connections up at its first push only, then pushes each view to them in turn', async () => {
    const order = orderRecord();
    const subscriptions = new CountedSubscriptions(new Map([['c1', order.orderId], ['c2', order.orderId]]));
    const push = new RecordingPush();
    const pusher = orderViewPusher({ subscriptions, push, ordersBasePath: '/dev/orders', now: () => NOW }, order.orderId);
    expect(subscriptions.lookups).toBe(0);

    expect(await pusher.push({ ...order, status: 'PAYMENT_AUTHORIZED' })).toEqual({ sent: 2, gone: 0, closed: 0 });
    expect(await pusher.push({ ...order, status: 'SHIPPED' })).toEqual({ sent: 2, gone: 0, closed: 0 });
    expect(await pusher.push({ ...order, status: 'COMPLETED' })).toEqual({ sent: 2, gone: 0, closed: 2 });
    expect(await pusher.push({ ...order, status: 'COMPLETED' })).toEqual({ sent: 0, gone: 0, closed: 0 });

    expect(subscriptions.lookups).toBe(1);
    expect(push.posted.filter((entry) => entry.connectionId === 'c1').map((entry) => (entry.message as { order: { status: string } }).order.status)).toEqual(['PAYMENT_AUTHORIZED', 'SHIPPED', 'COMPLETED']);
    expect(push.closed.sort()).toEqual(['c1', 'c2']);
  });

  it('sends nothing more to a connection that answered gone, even when its row is kept because it may still be connecting', async () => {
    const order = orderRecord();
    const subscriptions = new MemorySubscriptions(new Map([['connecting', order.orderId], ['live', order.orderId]]), new Map([['connecting', new Date(NOW.getTime() - 2_000)]]));
    const push = new RecordingPush(new Set(['connecting']));
    const pusher = orderViewPusher({ subscriptions, push, ordersBasePath: '/dev/orders', now: () => NOW }, order.orderId);

    expect(await pusher.push(order)).toEqual({ sent: 1, gone: 1, closed: 0 });
    expect(await pusher.push({ ...order, status: 'PAYMENT_AUTHORIZED' })).toEqual({ sent: 1, gone: 0, closed: 0 });
    expect(subscriptions.rows.has('connecting')).toBe(true);
  });

  it('throws a failed lookup and looks up again at the next push', async () => {
    const order = orderRecord();
    const subscriptions = new CountedSubscriptions(new Map([['c1', order.orderId]]), 1);
    const push = new RecordingPush();
    const pusher = orderViewPusher({ subscriptions, push, ordersBasePath: '/dev/orders', now: () => NOW }, order.orderId);

    await expect(pusher.push(order)).rejects.toThrow('Throughput exceeded');
    expect(await pusher.push(order)).toEqual({ sent: 1, gone: 0, closed: 0 });
    expect(subscriptions.lookups).toBe(2);
  });

  it("refuses another order's view, whose subscribers it did not look up", async () => {
    const order = orderRecord();
    const pusher = orderViewPusher({ subscriptions: new MemorySubscriptions(new Map()), push: new RecordingPush(), ordersBasePath: '/dev/orders' }, order.orderId);
    await expect(pusher.push(orderRecord())).rejects.toThrow(/serves order/);
  });
});
