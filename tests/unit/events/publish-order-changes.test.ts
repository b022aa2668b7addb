import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { OrderRecord } from '#domain/order';
import type { OrderChange, OrderEvent } from '#domain/order-events';
import type { DomainEventPublisher, PublishOutcome } from '#ports/domain-events';
import { type OrderChangeConsumer, domainEventsConsumer, publishOrderChanges } from '../../../functions/publish-order-changes/publish-order-changes';
import { orderRecord } from '../../support/orders';

const image = (item: object) => marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
let sequence = 100;
function record(oldItem: object | undefined, newItem: object | undefined): DynamoDBRecord {
  sequence += 1;
  return {
    eventName: !oldItem ? 'INSERT' : !newItem ? 'REMOVE' : 'MODIFY',
    dynamodb: { SequenceNumber: String(sequence), ...(oldItem ? { OldImage: image(oldItem) } : {}), ...(newItem ? { NewImage: image(newItem) } : {}) },
  };
}

function authorized(order: OrderRecord): OrderRecord {
  return {
    ...order,
    status: 'PAYMENT_AUTHORIZED',
    updatedAt: '2026-11-25T10:00:01.000Z',
    steps: { ...order.steps, 'Authorize Payment': { status: 'SUCCEEDED', attempts: 1 } },
    payment: { authorizationId: 'auth_1', status: 'AUTHORIZED', amount: order.totals.total },
  };
}

/** A publisher that publishes the first `accept` events it is given, then fails. */
class FakePublisher implements DomainEventPublisher {
  readonly published: OrderEvent[] = [];
  constructor(private accept = Infinity) {}
  publish(events: readonly OrderEvent[]): Promise<PublishOutcome> {
    const count = Math.min(events.length, this.accept);
    this.published.push(...events.slice(0, count));
    this.accept -= count;
    return Promise.resolve(count < events.length ? { published: count, failure: { code: 'ThrottlingException', message: 'slow down', retryable: true } } : { published: count });
  }
}

const noMetrics = { published: () => undefined, failed: () => undefined };
const sequenceOf = (records: DynamoDBRecord[]) => records.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber }));

describe('publishOrderChanges (the PublishOrderChanges handler\'s use case)', () => {
  it('publishes the events of each order write and reports no failures', async () => {
    const placed = orderRecord();
    const publisher = new FakePublisher();
    const response = await publishOrderChanges([record(undefined, placed), record(placed, authorized(placed))], [domainEventsConsumer(publisher, noMetrics)]);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publisher.published.map((event) => event.detailType)).toEqual(['OrderPlaced', 'PaymentAuthorized']);
    expect(publisher.published[1]?.detail).toMatchObject({ version: '1', orderId: placed.orderId, payment: { authorizationId: 'auth_1', amount: placed.totals.total } });
  });

  it('skips items that are not orders and deletes, without failing them', async () => {
    const publisher = new FakePublisher();
    const placed = orderRecord();
    const response = await publishOrderChanges(
      [record(undefined, { orderId: 'MIGRATION#1', note: 'not an order' }), record(placed, undefined), record(undefined, { pk: 'x' })],
      [domainEventsConsumer(publisher, noMetrics)],
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publisher.published).toEqual([]);
  });

  it('reports the record whose events failed and every record after it, non-orders included', async () => {
    const a = orderRecord();
    const b = orderRecord();
    const records = [record(undefined, a), record(undefined, b), record(undefined, { pk: 'other' }), record(a, authorized(a))];
    const publisher = new FakePublisher(1);
    const response = await publishOrderChanges(records, [domainEventsConsumer(publisher, noMetrics)]);
    expect(response.batchItemFailures).toEqual(sequenceOf(records.slice(1)));
  });

  it('fails a write whose events cannot be built (a broken order) instead of dropping it, and what follows it', async () => {
    const placed = orderRecord();
    const broken = { ...authorized(placed), payment: undefined };
    const records = [record(undefined, placed), record(placed, broken), record(undefined, orderRecord())];
    const publisher = new FakePublisher();
    const response = await publishOrderChanges(records, [domainEventsConsumer(publisher, noMetrics)]);
    expect(response.batchItemFailures).toEqual(sequenceOf(records.slice(1)));
    expect(publisher.published.map((event) => event.detailType)).toEqual(['OrderPlaced']);
  });

  it('gives each later consumer only the changes every earlier one handled, and fails from the first change any consumer missed', async () => {
    const orders = [orderRecord(), orderRecord(), orderRecord()];
    const records = orders.map((order) => record(undefined, order));
    const seen: string[][] = [];
    const consumer = (name: string, handles: number): OrderChangeConsumer => ({
      name,
      consume: (changes: readonly OrderChange[]) => {
        seen.push(changes.map((change) => change.newOrder?.orderId ?? ''));
        return Promise.resolve(Math.min(handles, changes.length));
      },
    });
    const response = await publishOrderChanges(records, [consumer('first', 2), consumer('second', 1)]);
    expect(seen).toEqual([orders.map((o) => o.orderId), orders.slice(0, 2).map((o) => o.orderId)]);
    expect(response.batchItemFailures).toEqual(sequenceOf(records.slice(1)));
  });

  it('counts the published events and the failures', async () => {
    const placed = orderRecord();
    const counts: string[] = [];
    await publishOrderChanges([record(undefined, placed), record(placed, authorized(placed))], [
      domainEventsConsumer(new FakePublisher(1), { published: (events) => counts.push(`published:${String(events.length)}`), failed: (code) => counts.push(`failed:${code}`) }),
    ]);
    expect(counts).toEqual(['published:1', 'failed:ThrottlingException']);
  });
});
