import { type PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { EventBridgeDomainEvents } from '#adapters/eventbridge-domain-events';
import { type OrderChange, orderEvents } from '#domain/order-events';
import { PermanentError } from '#domain/errors';
import type { OrderRecord } from '#domain/order';
import { newOrderId } from '#domain/order-ids';
import { domainEventsConsumer, publishOrderChanges } from '../../functions/publish-order-changes/publish-order-changes';
import { type LocalDynamo, startDynamo } from '../support/dynalite';
import { awsServiceError } from '../support/fakes';
import { orderRecord, orderRequest } from '../support/orders';
import { OrderWorkflowHarness } from '../support/state-machine';

/*
 * At-least-once delivery, end to end through the handler: the stream writes of every ASL path
 * (recorded on the real state machine), interleaved across orders, delivered in random batches by a
 * simulated event source mapping that retries from the first reported failure and sometimes
 * redelivers a whole batch, to a bus that throttles, fails single entries, and accepts the entries
 * after a failed one. After dedupe by eventId, each order's events on the bus are exactly its
 * path's events, in order: nothing lost, nothing reordered.
 */

class CarrierRefused extends PermanentError {
  override name = 'CarrierRefused';
}

let dynamo: LocalDynamo;
const recorded = new Map<string, OrderChange[]>();

beforeAll(async () => {
  dynamo = await startDynamo();
  const request = orderRequest();
  const paths: [string, OrderRecord, (harness: OrderWorkflowHarness) => void][] = [
    ['happy', orderRecord(), () => undefined],
    ['declined', orderRecord(orderRequest({ payment: { token: 'tok_chargeDeclined' } })), () => undefined],
    ['shipping', orderRecord({ ...request, shippingAddress: { ...request.shippingAddress, country: 'AQ' } }), () => undefined],
    ['capture', orderRecord(orderRequest({ payment: { token: 'tok_capture_declined' } })), () => undefined],
    ['receipt', orderRecord(), (harness) => (harness.receipts.failWith = awsServiceError('ServiceUnavailable', 503, 'S3 is down'))],
    [
      'compensation',
      orderRecord({ ...request, shippingAddress: { ...request.shippingAddress, country: 'AQ' } }),
      (harness) => (harness.cancelFailsWith = new CarrierRefused('refused')),
    ],
    ['flaky', orderRecord(orderRequest({ payment: { token: 'tok_flaky_2' } })), () => undefined],
  ];
  for (const [name, order, arrange] of paths) {
    const harness = new OrderWorkflowHarness(dynamo);
    arrange(harness);
    await harness.run(order);
    recorded.set(name, harness.recording.changes);
  }
}, 60_000);
afterAll(async () => {
  await dynamo.close();
});

/** A recorded path's writes as another order's (ids are embedded in receipt keys too). */
function asOrder(path: string, orderId: string): OrderChange[] {
  const changes = recorded.get(path) ?? [];
  const original = changes[0]?.newOrder?.orderId ?? '';
  return JSON.parse(JSON.stringify(changes).replaceAll(original, orderId)) as OrderChange[];
}

function streamRecord(change: OrderChange, sequence: number): DynamoDBRecord {
  const image = (order: OrderRecord | undefined) => (order ? { ...(marshall(order, { removeUndefinedValues: true }) as Record<string, AttributeValue>) } : undefined);
  const oldImage = image(change.oldOrder);
  const newImage = image(change.newOrder);
  return {
    eventID: `e${String(sequence)}`,
    eventName: change.oldOrder ? 'MODIFY' : 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: { SequenceNumber: String(1000 + sequence), ...(oldImage ? { OldImage: oldImage } : {}), ...(newImage ? { NewImage: newImage } : {}) },
  };
}

type BusStep = { kind: 'ok' } | { kind: 'throttle' } | { kind: 'failEntry'; at: number };
const busStep: fc.Arbitrary<BusStep> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<BusStep>({ kind: 'ok' }) },
  { weight: 1, arbitrary: fc.constant<BusStep>({ kind: 'throttle' }) },
  { weight: 2, arbitrary: fc.nat({ max: 9 }).map<BusStep>((at) => ({ kind: 'failEntry', at })) },
);

/** A bus that follows a script of outcomes, then accepts everything; it keeps what it accepted, in order. */
function scriptedBus(script: BusStep[]) {
  const accepted: PutEventsRequestEntry[] = [];
  let call = 0;
  return {
    accepted,
    send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
      const step = script[call++] ?? { kind: 'ok' };
      const entries = command.input.Entries ?? [];
      if (step.kind === 'throttle') return Promise.reject(awsServiceError('ThrottlingException', 400, 'Rate exceeded'));
      const failed = step.kind === 'failEntry' ? Math.min(step.at, entries.length - 1) : -1;
      entries.forEach((entry, index) => {
        if (index !== failed) accepted.push(entry);
      });
      return Promise.resolve({
        $metadata: {},
        FailedEntryCount: failed >= 0 ? 1 : 0,
        Entries: entries.map((_, index) => (index === failed ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `id-${String(call)}-${String(index)}` })),
      });
    },
  };
}

describe('PublishOrderChanges under redelivery, partial batch failures and bus failures', () => {
  it('puts every order\'s events on the bus exactly once after dedupe by eventId, in its order', async () => {
    const paths = [...recorded.keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...paths), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        fc.array(busStep, { maxLength: 15 }),
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 10 }), redeliverWhole: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        async (orderPaths, interleaving, script, deliveries) => {
          const orders = orderPaths.map((path) => ({ path, orderId: newOrderId('key-a'), changes: [] as OrderChange[] }));
          for (const order of orders) order.changes = asOrder(order.path, order.orderId);
          // Interleave the orders' writes, each order's in its own order (one shard of the stream).
          const queues = orders.map((order) => [...order.changes]);
          const stream: DynamoDBRecord[] = [];
          for (let pick = 0; queues.some((queue) => queue.length > 0); pick++) {
            const open = queues.filter((queue) => queue.length > 0);
            const change = open[(interleaving[pick % interleaving.length] ?? 0) % open.length]?.shift();
            if (change) stream.push(streamRecord(change, stream.length));
          }

          const bus = scriptedBus(script);
          const consumer = domainEventsConsumer(new EventBridgeDomainEvents(bus, 'order-events', 'order-processing'), { published: () => undefined, failed: () => undefined });
          let position = 0;
          for (let attempt = 0; position < stream.length; attempt++) {
            if (attempt > 500) throw new Error('the stream did not drain');
            const delivery = deliveries[attempt] ?? { size: 10, redeliverWhole: false };
            const batch = stream.slice(position, position + delivery.size);
            const response = await publishOrderChanges(batch, [consumer]);
            // A crash after publishing redelivers the whole batch; otherwise Lambda resumes at the first reported failure.
            if (delivery.redeliverWhole) continue;
            const first = response.batchItemFailures[0]?.itemIdentifier;
            position = first === undefined ? position + batch.length : batch.findIndex((record) => record.dynamodb?.SequenceNumber === first) + position;
          }

          const firstSeen = new Map<string, PutEventsRequestEntry>();
          for (const entry of bus.accepted) {
            const { eventId } = JSON.parse(entry.Detail ?? '{}') as { eventId: string };
            const earlier = firstSeen.get(eventId);
            if (earlier) expect(earlier.Detail).toBe(entry.Detail);
            else firstSeen.set(eventId, entry);
          }
          for (const order of orders) {
            const expected = order.changes.flatMap(orderEvents).map((event) => event.detail.eventId);
            const onBus = [...firstSeen.values()]
              .map((entry) => JSON.parse(entry.Detail ?? '{}') as { eventId: string; orderId: string })
              .filter((detail) => detail.orderId === order.orderId)
              .map((detail) => detail.eventId);
            expect(onBus).toEqual(expected);
            expect(new Set(expected).size).toBe(expected.length);
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
