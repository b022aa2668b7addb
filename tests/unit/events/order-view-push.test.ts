import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { PushSummary } from '#api/order-updates';
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

/** Records each connection's messages (statuses); `fail` decides which posts throw, `delayMs` how long a post takes. */
class RecordingPush implements ConnectionPush {
  readonly received = new Map<string, string[]>();
  readonly closed: string[] = [];
  constructor(
    private readonly fail: (connectionId: string, status: string) => boolean = () => false,
    private readonly delayMs: (connectionId: string) => number = () => 0,
  ) {}
  async post(connectionId: string, message: string): Promise<Delivery> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs(connectionId)));
    const status = (JSON.parse(message) as { order: { status: string } }).order.status;
    if (this.fail(connectionId, status)) throw Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' });
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

function setup(rows: [string, string][], push: RecordingPush) {
  const subscriptions = new MemorySubscriptions(new Map(rows));
  const pushed: PushSummary[] = [];
  let failures = 0;
  const consumer = orderViewPushConsumer({ subscriptions, push, ordersBasePath: '/dev/orders' }, { pushed: (summary) => pushed.push(summary), failed: () => (failures += 1) });
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
