import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { CONNECT_GRACE_MS, type PushSummary } from '#api/order-updates';
import type { OrderRecord, OrderStatus } from '#domain/order';
import type { OrderChange } from '#domain/order-events';
import type { ConnectionPush, Delivery } from '#ports/order-subscriptions';
import { orderViewPushConsumer } from '../../../functions/publish-order-changes/order-view-push';
import { publishOrderChanges } from '../../../functions/publish-order-changes/publish-order-changes';
import { MemorySubscriptions } from '../../support/memory-stores';
import { orderRecord } from '../../support/orders';

/*
 * The consumer that wires pushOrderView into PublishOrderChanges, with fake ports: the connections
 * table in memory and a management API that records, delays and fails posts.
 */

/**
 * Records each connection's messages (statuses) and every post tried; `fail` decides which posts
 * throw, `delayMs` how long a post takes, `gone` which connections answer GoneException.
 */
class RecordingPush implements ConnectionPush {
  readonly received = new Map<string, string[]>();
  readonly tried: string[] = [];
  readonly closed: string[] = [];
  constructor(
    private readonly fail: (connectionId: string, status: string) => boolean = () => false,
    private readonly delayMs: (connectionId: string) => number = () => 0,
    private readonly gone: (connectionId: string) => boolean = () => false,
  ) {}
  async post(connectionId: string, message: string): Promise<Delivery> {
    this.tried.push(connectionId);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs(connectionId)));
    const status = (JSON.parse(message) as { order: { status: string } }).order.status;
    if (this.fail(connectionId, status)) throw Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' });
    if (this.gone(connectionId)) return 'gone';
    this.received.set(connectionId, [...(this.received.get(connectionId) ?? []), status]);
    return 'sent';
  }
  close(connectionId: string): Promise<void> {
    this.closed.push(connectionId);
    return Promise.resolve();
  }
}

const STEPS: OrderStatus[] = ['RECEIVED', 'PAYMENT_AUTHORIZED', 'SHIPPED', 'PAYMENT_CAPTURED', 'COMPLETED'];

/** An order's writes along the happy path: each change's old and new image. */
function happyChanges(order: OrderRecord): OrderChange[] {
  const versions = STEPS.map((status, step) => ({ ...order, status, updatedAt: `2026-11-25T10:00:0${String(step)}.000Z` }));
  return versions.map((newOrder, step) => ({ ...(step > 0 ? { oldOrder: versions[step - 1] } : {}), newOrder }));
}

/** Interleaves the orders' change lists round-robin, as a stream batch mixes orders. */
function interleave(lists: OrderChange[][]): OrderChange[] {
  const longest = Math.max(...lists.map((list) => list.length));
  return Array.from({ length: longest }, (_unused, step) => lists.flatMap((list) => (list[step] ? [list[step]] : []))).flat();
}

/**
 * The connections table in memory, recording each byOrder Query. `lagging` makes the index answer
 * with the rows as they were at the start, as the eventually consistent GSI may just after a delete.
 */
class QueriedSubscriptions extends MemorySubscriptions {
  readonly queried: string[] = [];
  private readonly atStart: MemorySubscriptions;
  constructor(
    rows: Map<string, string>,
    connectedAt?: Map<string, Date>,
    private readonly lagging = false,
  ) {
    super(rows, connectedAt);
    this.atStart = new MemorySubscriptions(new Map(rows));
  }
  override forOrder(orderId: string): Promise<string[]> {
    this.queried.push(orderId);
    return this.lagging ? this.atStart.forOrder(orderId) : super.forOrder(orderId);
  }
}

const NOW = new Date('2026-11-25T10:01:00.000Z');

function setup(rows: [string, string][], push: RecordingPush, options: { connectedAt?: Map<string, Date>; lagging?: boolean } = {}) {
  const subscriptions = new QueriedSubscriptions(new Map(rows), options.connectedAt, options.lagging);
  const pushed: PushSummary[] = [];
  let failures = 0;
  const consumer = orderViewPushConsumer(
    { subscriptions, push, ordersBasePath: '/dev/orders', now: () => NOW },
    { pushed: (summary) => pushed.push(summary), failed: () => (failures += 1) },
  );
  return { consumer, subscriptions, pushed, failures: () => failures };
}

describe('orderViewPushConsumer (pushOrderView in PublishOrderChanges)', () => {
  it("pushes every change's view to the order's subscribers in write order, closes them on the terminal view, and handles every change", async () => {
    const a = orderRecord();
    const b = orderRecord();
    const push = new RecordingPush(undefined, (connection) => (connection.startsWith('a') ? 5 : 0));
    const { consumer, subscriptions, pushed } = setup([['a1', a.orderId], ['a2', a.orderId], ['b1', b.orderId]], push);
    const changes = interleave([happyChanges(a), happyChanges(b)]);

    expect(await consumer.consume(changes)).toBe(changes.length);

    for (const connection of ['a1', 'a2', 'b1']) expect(push.received.get(connection)).toEqual(STEPS);
    expect(push.closed.sort()).toEqual(['a1', 'a2', 'b1']);
    expect(subscriptions.rows.size).toBe(0);
    expect(pushed.reduce((sum, summary) => sum + summary.sent, 0)).toBe(15);
  });

  it('pushes nothing for a delete and for an order nobody watches, and counts both as handled', async () => {
    const a = orderRecord();
    const push = new RecordingPush();
    const { consumer } = setup([], push);
    expect(await consumer.consume([{ oldOrder: a }, { newOrder: a }])).toBe(2);
    expect(push.received.size).toBe(0);

    const watched = setup([['c', a.orderId]], push);
    expect(await watched.consumer.consume([{ oldOrder: a }])).toBe(1);
    expect(push.received.size).toBe(0);
  });

  it("stops at the first failed change: returns its index, and never pushes a later change of that order", async () => {
    const a = orderRecord();
    const b = orderRecord();
    // b's SHIPPED fails; a is slow, so its later changes start after the failure is known.
    const push = new RecordingPush((connection, status) => connection === 'b' && status === 'SHIPPED', (connection) => (connection === 'a' ? 5 : 0));
    const { consumer, failures } = setup([['a', a.orderId], ['b', b.orderId]], push);
    const changes = interleave([happyChanges(a), happyChanges(b)]);

    const handled = await consumer.consume(changes);

    expect(handled).toBe(changes.findIndex((change) => change.newOrder?.orderId === b.orderId && change.newOrder.status === 'SHIPPED'));
    expect(push.received.get('b')).toEqual(['RECEIVED', 'PAYMENT_AUTHORIZED']);
    // a got an in-order prefix of its views, at least every change before the failed one.
    const aViews = push.received.get('a') ?? [];
    expect(aViews).toEqual(STEPS.slice(0, aViews.length));
    expect(aViews.length).toBeGreaterThanOrEqual(changes.slice(0, handled).filter((change) => change.newOrder?.orderId === a.orderId).length);
    expect(aViews.length).toBeLessThan(STEPS.length);
    expect(failures()).toBe(1);
  });

  it("looks each order's connections up once per batch: 4 changes of one order and 2 of another make 2 Queries", async () => {
    const a = orderRecord();
    const b = orderRecord();
    const push = new RecordingPush();
    const { consumer, subscriptions } = setup([['a', a.orderId], ['b', b.orderId]], push);
    const changes = interleave([happyChanges(a).slice(0, 4), happyChanges(b).slice(0, 2)]);

    expect(await consumer.consume(changes)).toBe(6);

    expect(subscriptions.queried.sort()).toEqual([a.orderId, b.orderId].sort());
    expect(push.received.get('a')).toEqual(STEPS.slice(0, 4));
    expect(push.received.get('b')).toEqual(STEPS.slice(0, 2));
  });

  it('tries a gone connection once per batch, forgets it if its row is old enough, and keeps serving the others', async () => {
    const a = orderRecord();
    // 'connecting' may still be in its $connect, so its row survives the GoneException; 'stale' is really gone.
    const connectedAt = new Map([['connecting', new Date(NOW.getTime() - 2_000)], ['stale', new Date(NOW.getTime() - CONNECT_GRACE_MS - 1)]]);
    const push = new RecordingPush(undefined, undefined, (connection) => connection !== 'live');
    const { consumer, subscriptions, pushed } = setup([['connecting', a.orderId], ['stale', a.orderId], ['live', a.orderId]], push, { connectedAt });
    const changes = happyChanges(a).slice(0, 4);

    expect(await consumer.consume(changes)).toBe(4);

    expect(push.tried.filter((connection) => connection === 'connecting')).toHaveLength(1);
    expect(push.tried.filter((connection) => connection === 'stale')).toHaveLength(1);
    expect(push.received.get('live')).toEqual(STEPS.slice(0, 4));
    expect([...subscriptions.rows.keys()].sort()).toEqual(['connecting', 'live']);
    expect(pushed.map((summary) => summary.gone)).toEqual([2, 0, 0, 0]);
  });

  it('sends a closed connection nothing after the terminal view, even while the index still lists it', async () => {
    const a = orderRecord();
    const push = new RecordingPush();
    const { consumer, subscriptions } = setup([['c1', a.orderId], ['c2', a.orderId]], push, { lagging: true });
    const completed = happyChanges(a).at(-1)?.newOrder;
    if (!completed) throw new Error('no terminal change');
    const rewritten = { ...completed, updatedAt: '2026-11-25T10:00:09.000Z' };
    const changes = [...happyChanges(a), { oldOrder: completed, newOrder: rewritten }];

    expect(await consumer.consume(changes)).toBe(changes.length);

    for (const connection of ['c1', 'c2']) expect(push.received.get(connection)).toEqual(STEPS);
    expect(push.closed.sort()).toEqual(['c1', 'c2']);
    expect(subscriptions.rows.size).toBe(0);
  });

  it('keeps the handled count of a failure at change k (the first failed change) with one lookup per order', async () => {
    const a = orderRecord();
    const b = orderRecord();
    const push = new RecordingPush((connection, status) => connection === 'b' && status === 'PAYMENT_CAPTURED');
    const { consumer, subscriptions, failures } = setup([['a', a.orderId], ['b', b.orderId]], push);
    const changes = [...happyChanges(b).slice(0, 4), ...happyChanges(a).slice(0, 3)];

    expect(await consumer.consume(changes)).toBe(3);

    expect(push.received.get('b')).toEqual(STEPS.slice(0, 3));
    expect(failures()).toBe(1);
    expect(subscriptions.queried.filter((orderId) => orderId === b.orderId)).toHaveLength(1);
    expect(subscriptions.queried.filter((orderId) => orderId === a.orderId).length).toBeLessThanOrEqual(1);
  });

  it("fails at an order's first change when its connections cannot be looked up, and looks them up again on the retry", async () => {
    const a = orderRecord();
    const b = orderRecord();
    const push = new RecordingPush();
    const { consumer, subscriptions } = setup([['a', a.orderId], ['b', b.orderId]], push);
    let lookupFails = true;
    const forOrder = subscriptions.forOrder.bind(subscriptions);
    subscriptions.forOrder = (orderId) => {
      if (orderId === b.orderId && lookupFails) {
        lookupFails = false;
        return Promise.reject(Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }));
      }
      return forOrder(orderId);
    };
    const changes = [...happyChanges(a).slice(0, 2), ...happyChanges(b).slice(0, 2)];

    expect(await consumer.consume(changes)).toBe(2);
    expect(push.received.get('b')).toBeUndefined();

    expect(await consumer.consume(changes.slice(2))).toBe(2);
    expect(push.received.get('b')).toEqual(STEPS.slice(0, 2));
  });

  it("fails at an order's first change when that one fails, even if its other orders' changes came first", async () => {
    const a = orderRecord();
    const b = orderRecord();
    const push = new RecordingPush((connection) => connection === 'b');
    const { consumer } = setup([['a', a.orderId], ['b', b.orderId]], push);
    const changes = [...happyChanges(a).slice(0, 2), ...happyChanges(b)];
    expect(await consumer.consume(changes)).toBe(2);
    expect(push.received.get('a')).toEqual(STEPS.slice(0, 2));
    expect(push.received.get('b')).toBeUndefined();
  });
});

describe('PublishOrderChanges with the push consumer', () => {
  const image = (item: object) => marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  let sequence = 0;
  const records = (changes: OrderChange[]): DynamoDBRecord[] =>
    changes.map(({ oldOrder, newOrder }) => {
      sequence += 1;
      return { dynamodb: { SequenceNumber: String(sequence), ...(oldOrder ? { OldImage: image(oldOrder) } : {}), ...(newOrder ? { NewImage: image(newOrder) } : {}) } };
    });

  it('reports the failed push and every record after it, and a retry of those delivers the rest in order, ending with the close', async () => {
    const a = orderRecord();
    let failNext = true;
    const push = new RecordingPush((_connection, status) => {
      const fail = failNext && status === 'SHIPPED';
      if (fail) failNext = false;
      return fail;
    });
    const { consumer } = setup([['a', a.orderId]], push);
    const batch = records(happyChanges(a));

    const first = await publishOrderChanges(batch, [consumer]);
    expect(first.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(batch.slice(2).map((record) => record.dynamodb?.SequenceNumber));
    expect(push.closed).toEqual([]);

    const retried = batch.filter((record) => first.batchItemFailures.some((failure) => failure.itemIdentifier === record.dynamodb?.SequenceNumber));
    expect(await publishOrderChanges(retried, [consumer])).toEqual({ batchItemFailures: [] });
    expect(push.received.get('a')).toEqual(STEPS);
    expect(push.closed).toEqual(['a']);
  });
});
