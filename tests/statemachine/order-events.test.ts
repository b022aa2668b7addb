import { EventBridgeDomainEvents } from '#adapters/eventbridge-domain-events';
import { orderEvents } from '#domain/order-events';
import type { OrderRecord } from '#domain/order';
import { PermanentError } from '#domain/errors';
import { type LocalDynamo, startDynamo } from '../support/dynalite';
import { receivedEvent, schemaErrors } from '../support/event-schemas';
import { awsServiceError } from '../support/fakes';
import { PATH_EVENTS, labelOf } from '../support/order-event-paths';
import { orderRecord, orderRequest } from '../support/orders';
import { OrderWorkflowHarness } from '../support/state-machine';

/*
 * The domain events of every path through the real ASL: each step's writes are recorded as the
 * orders table's stream would deliver them (old and new image), mapped to events, and checked
 * against the exact expected sequence and the JSON Schemas in events/schemas/.
 */

class CarrierRefused extends PermanentError {
  override name = 'CarrierRefused';
}

let dynamo: LocalDynamo;
let harness: OrderWorkflowHarness;
const entries = new EventBridgeDomainEvents({ send: () => Promise.reject(new Error('not used')) }, 'order-events', 'order-processing');

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(() => {
  harness = new OrderWorkflowHarness(dynamo);
});

const request = orderRequest();
type Path = [name: string, order: () => OrderRecord, arrange: () => void, expected: string[]];

const PATHS: Path[] = [
  ['happy', () => orderRecord(), () => undefined, [...PATH_EVENTS.happy]],
  ['declined', () => orderRecord(orderRequest({ payment: { token: 'tok_chargeDeclined' } })), () => undefined, [...PATH_EVENTS.declined]],
  ['authorization unavailable', () => orderRecord(orderRequest({ payment: { token: 'tok_unavailable' } })), () => undefined, [...PATH_EVENTS.authorizationUnavailable]],
  [
    'shipping failure',
    () => orderRecord({ ...request, shippingAddress: { ...request.shippingAddress, country: 'AQ' } }),
    () => undefined,
    [...PATH_EVENTS.shippingFailure],
  ],
  [
    'capture failure',
    () => orderRecord(orderRequest({ payment: { token: 'tok_capture_declined' } })),
    () => undefined,
    [...PATH_EVENTS.captureFailure],
  ],
  [
    'receipt failure',
    () => orderRecord(),
    () => {
      harness.receipts.failWith = awsServiceError('ServiceUnavailable', 503, 'S3 is down');
    },
    [...PATH_EVENTS.receiptFailure],
  ],
  [
    'compensation failure',
    () => orderRecord({ ...request, shippingAddress: { ...request.shippingAddress, country: 'AQ' } }),
    () => {
      harness.cancelFailsWith = new CarrierRefused('The carrier refused the cancellation');
    },
    [...PATH_EVENTS.compensationFailure],
  ],
];

const label = labelOf;

describe('domain events of every path through order-processing.asl.json', () => {
  it.each(PATHS)('%s path publishes exactly its events, each valid against its schema', async (_name, order, arrange, expected) => {
    arrange();
    await harness.run(order());

    const events = harness.recording.changes.flatMap(orderEvents);
    expect(events.map(label)).toEqual(expected);
    expect(new Set(events.map((event) => event.detail.eventId)).size).toBe(events.length);
    for (const event of events) expect({ type: event.detailType, errors: schemaErrors(receivedEvent(entries.toEntry(event))) }).toEqual({ type: event.detailType, errors: [] });
  });

  it('marks a receipt failure on OrderCompleted, and the step that failed on CompensationStarted and OrderFailed', async () => {
    harness.receipts.failWith = awsServiceError('ServiceUnavailable', 503, 'S3 is down');
    await harness.run(orderRecord());
    const completed = harness.recording.changes.flatMap(orderEvents).find((event) => event.detailType === 'OrderCompleted');
    expect(completed?.detail).toMatchObject({ status: 'COMPLETED', receipt: { status: 'FAILED' } });

    harness = new OrderWorkflowHarness(dynamo);
    await harness.run(orderRecord(orderRequest({ payment: { token: 'tok_capture_declined' } })));
    const events = harness.recording.changes.flatMap(orderEvents);
    expect(events.find((event) => event.detailType === 'CompensationStarted')?.detail).toMatchObject({ compensation: { failedStep: 'Capture Payment' } });
    expect(events.find((event) => event.detailType === 'OrderFailed')?.detail).toMatchObject({ failure: { code: 'CaptureDeclined', step: 'Capture Payment' } });
  });

  it('publishes nothing for the writes of retried attempts (a flaky provider adds attempts, not events)', async () => {
    await harness.run(orderRecord(orderRequest({ payment: { token: 'tok_flaky_2' } })));
    expect(harness.recording.changes.length).toBeGreaterThan(6);
    expect(harness.recording.changes.flatMap(orderEvents).map(label)).toEqual(PATH_EVENTS.happy);
  });

  it('never carries the payment token, card data or the street address', async () => {
    const order = orderRecord();
    await harness.run(order);
    const wire = JSON.stringify(harness.recording.changes.flatMap(orderEvents).map((event) => entries.toEntry(event)));
    for (const secret of [order.paymentToken, order.shippingAddress.line1, order.shippingAddress.postalCode, order.shippingAddress.name, 'paymentToken', 'shippingAddress']) {
      expect(wire).not.toContain(secret);
    }
  });
});
