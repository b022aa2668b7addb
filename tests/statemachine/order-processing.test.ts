import type { PaymentLedgerEntry } from '#adapters/payment-simulator';
import type { ShipmentLedgerEntry } from '#adapters/shipping-simulator';
import { type LocalDynamo, startDynamo } from '../support/dynalite';
import { awsServiceError } from '../support/fakes';
import { stripeAnswering } from '../support/stripe';
import { orderRecord, orderRequest } from '../support/orders';
import { ProviderUnavailable } from '#ports/provider-errors';
import { type ExecutionOutcome, OrderWorkflowHarness } from '../support/state-machine';
import { resolvedDefinition } from '../support/template';

let dynamo: LocalDynamo;
let harness: OrderWorkflowHarness;

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(() => {
  harness = new OrderWorkflowHarness(dynamo);
});

/** Billed state transitions: every state entered, plus every retry. */
function transitions(outcome: ExecutionOutcome): number {
  return outcome.statesEntered.length + Object.values(outcome.retries).reduce((sum, count) => sum + count, 0);
}

async function payment(orderId: string) {
  return harness.ledger.get<PaymentLedgerEntry>(`payment#${orderId}`);
}
async function shipment(orderId: string) {
  return harness.ledger.get<ShipmentLedgerEntry>(`shipment#${orderId}`);
}

describe('order-processing.asl.json', () => {
  it('authorizes, ships, captures and stores a receipt on the happy path in 4 transitions', async () => {
    const outcome = await harness.run(orderRecord());

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt']);
    expect(transitions(outcome)).toBe(4);
    expect(outcome.order.status).toBe('COMPLETED');
    expect(outcome.order.receipt?.status).toBe('AVAILABLE');
    for (const step of ['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt'] as const) {
      expect(outcome.order.steps[step]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    }
    const ledger = await payment(outcome.order.orderId);
    expect(ledger).toMatchObject({ status: 'CAPTURED', capturedAmount: outcome.order.totals.total });
    expect(await shipment(outcome.order.orderId)).toMatchObject({ status: 'CREATED' });
    expect(outcome.order.shipment).toMatchObject({ carrier: 'SimPost Ground', status: 'CREATED' });
    expect(harness.receipts.objects.get(`receipts/${outcome.order.orderId}/receipt.html`)).toContain(outcome.order.shipment?.trackingNumber);
    expect(harness.metrics.counts.get('OrdersCompleted')).toBe(1);
    expect(outcome.order).not.toHaveProperty('paymentToken');
  });

  it('does the happy path in 11 DynamoDB requests: no step re-reads what the execution state carries, no read before a conditional write', async () => {
    const requests: string[] = [];
    const counter = (next: (args: { input: { TableName?: string } }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: { TableName?: string } }) => {
      requests.push(`${String(context.commandName).replace('Command', '')} ${String(args.input.TableName)}`);
      return next(args);
    };
    dynamo.documentClient.middlewareStack.add(counter as never, { step: 'initialize', name: 'countRequests' });
    try {
      const outcome = await new OrderWorkflowHarness(dynamo, { recordChanges: false }).run(orderRecord());
      expect(outcome.status).toBe('SUCCEEDED');
    } finally {
      dynamo.documentClient.middlewareStack.remove('countRequests');
    }
    // The harness reads the finished order once more to report it; that read is not the saga's.
    expect(requests.pop()).toBe('GetItem orders');
    expect(requests).toEqual([
      'PutItem orders', // POST /orders (CreateOrder)
      'GetItem orders', // Authorize Payment: the payment token, which stays out of the execution's history
      'PutItem simulator-ledger',
      'UpdateItem orders',
      'GetItem orders', // Create Shipment: the street address, which stays out of the history too
      'PutItem simulator-ledger',
      'UpdateItem orders',
      'UpdateItem simulator-ledger', // Capture Payment: authorization and amount from $.payment; one guarded write at the provider
      'UpdateItem orders',
      'GetItem orders', // Generate Receipt: the lines and the ship-to name
      'UpdateItem orders',
    ]);
  });

  it('captures from the execution state even when a duplicate invocation repeats the step: one capture, one write that counts', async () => {
    const outcome = await harness.run(orderRecord());
    const input = { orderId: outcome.order.orderId, payment: { authorizationId: outcome.order.payment?.authorizationId, amount: outcome.order.totals.total } };
    const { capturePayment } = await import('../../functions/capture-payment/capture-payment');
    const again = await capturePayment({ orders: harness.orders, now: () => new Date(), payments: new (await import('#adapters/payment-simulator')).PaymentSimulator(harness.ledger) }, input);
    expect(again).toEqual({ captureId: outcome.order.payment?.captureId });
    expect((await harness.orders.get(outcome.order.orderId))?.steps['Capture Payment']).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('fails a declined order at authorization with no shipment, in 2 transitions', async () => {
    const outcome = await harness.run(orderRecord(orderRequest({ payment: { token: 'tok_chargeDeclined' } })));

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('PaymentDeclined');
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Payment Declined']);
    expect(transitions(outcome)).toBe(2);
    expect(outcome.order.status).toBe('FAILED');
    expect(outcome.order.failure).toMatchObject({ code: 'PaymentDeclined', step: 'Authorize Payment' });
    expect(outcome.order.steps['Authorize Payment']).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(outcome.order.steps['Create Shipment'].attempts).toBe(0);
    expect(await shipment(outcome.order.orderId)).toBeUndefined();
    expect(outcome.retries).toEqual({});
    expect(harness.metrics.counts.get('PaymentsDeclined')).toBe(1);
    expect(outcome.order).not.toHaveProperty('paymentToken');
  });

  it('retries a transient provider error with backoff, then succeeds (3 attempts)', async () => {
    const outcome = await harness.run(orderRecord(orderRequest({ payment: { token: 'tok_flaky_2' } })));

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.retries).toEqual({ 'Authorize Payment': 2 });
    expect(outcome.order.steps['Authorize Payment']).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });
    expect(transitions(outcome)).toBe(6);
    expect((await payment(outcome.order.orderId))?.status).toBe('CAPTURED');
  });

  it('retries a carrier outage on Create Shipment, then ships', async () => {
    const request = orderRequest();
    const outcome = await harness.run(orderRecord({ ...request, shippingAddress: { ...request.shippingAddress, postalCode: '00003' } }));

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.retries).toEqual({ 'Create Shipment': 3 });
    expect(outcome.order.steps['Create Shipment']).toMatchObject({ status: 'SUCCEEDED', attempts: 4 });
  });

  it('cancels any shipment and voids the authorization when shipping fails permanently, in 5 transitions', async () => {
    const request = orderRequest();
    const outcome = await harness.run(orderRecord({ ...request, shippingAddress: { ...request.shippingAddress, country: 'AQ' } }));

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('AddressNotServiceable');
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Create Shipment', 'Cancel Shipment', 'Void Payment', 'Order Failed']);
    expect(transitions(outcome)).toBe(5);
    expect(outcome.order.status).toBe('FAILED');
    expect(outcome.order.failure).toMatchObject({ code: 'AddressNotServiceable', step: 'Create Shipment' });
    expect(outcome.order.payment?.status).toBe('VOIDED');
    expect((await payment(outcome.order.orderId))?.status).toBe('VOIDED');
    // Nothing was shipped; the cancel leaves a tombstone so a late booking cannot succeed.
    expect(await shipment(outcome.order.orderId)).toMatchObject({ status: 'CANCELLED' });
    expect((await shipment(outcome.order.orderId))?.shipmentId).toBeUndefined();
    expect(harness.metrics.counts.get('OrdersFailed:AddressNotServiceable')).toBe(1);
  });

  it('cancels a shipment the carrier booked when Create Shipment then fails for good', async () => {
    harness.failAfterBooking = true;
    const outcome = await harness.run(orderRecord());

    expect(outcome.status).toBe('FAILED');
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Create Shipment', 'Cancel Shipment', 'Void Payment', 'Order Failed']);
    expect((await shipment(outcome.order.orderId))?.status).toBe('CANCELLED');
    expect((await shipment(outcome.order.orderId))?.shipmentId).toMatch(/^shp_/);
    expect((await payment(outcome.order.orderId))?.status).toBe('VOIDED');
    expect(outcome.order.status).toBe('FAILED');
  });

  it('cancels the shipment and voids the authorization when capture fails, in 6 transitions', async () => {
    const outcome = await harness.run(orderRecord(orderRequest({ payment: { token: 'tok_capture_declined' } })));

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('CaptureDeclined');
    expect(outcome.statesEntered).toEqual([
      'Authorize Payment',
      'Create Shipment',
      'Capture Payment',
      'Cancel Shipment',
      'Void Payment',
      'Order Failed',
    ]);
    expect(transitions(outcome)).toBe(6);
    expect(outcome.order.status).toBe('FAILED');
    expect(outcome.order.failure).toMatchObject({ code: 'CaptureDeclined', step: 'Capture Payment' });
    expect(outcome.order.shipment?.status).toBe('CANCELLED');
    expect((await shipment(outcome.order.orderId))?.status).toBe('CANCELLED');
    const ledger = await payment(outcome.order.orderId);
    expect(ledger?.status).toBe('VOIDED');
    expect(ledger?.captureId).toBeUndefined();
  });

  it('completes a paid, shipped order whose receipt fails, without refunding it, and stops at Generate Receipt (9 transitions with retries)', async () => {
    harness.receipts.failWith = awsServiceError('ServiceUnavailable', 503, 'S3 is down');
    const outcome = await harness.run(orderRecord());

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('ReceiptGenerationFailed');
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt']);
    expect(outcome.retries).toEqual({ 'Generate Receipt': 5 });
    expect(transitions(outcome)).toBe(9);
    expect(outcome.order.status).toBe('COMPLETED');
    expect(outcome.order.receipt).toMatchObject({ status: 'FAILED', error: { code: 'DependencyUnavailable' } });
    expect(outcome.order.steps['Generate Receipt']).toMatchObject({ status: 'FAILED', attempts: 6 });
    expect(outcome.order.failure).toBeUndefined();
    expect((await payment(outcome.order.orderId))?.status).toBe('CAPTURED');
    expect((await shipment(outcome.order.orderId))?.status).toBe('CREATED');
    expect(outcome.statesEntered).not.toContain('Void Payment');
    expect(harness.metrics.counts.get('ReceiptsFailed')).toBe(1);
    expect(harness.metrics.counts.get('OrdersCompleted')).toBe(1);
  });

  it('makes the receipt when the Receipt Failed execution is redriven after S3 recovers, counting the order completed once', async () => {
    harness.receipts.failWith = awsServiceError('ServiceUnavailable', 503, 'S3 is down');
    const failed = await harness.run(orderRecord());
    expect(failed.error).toBe('ReceiptGenerationFailed');

    harness.receipts.failWith = undefined;
    const redriven = await harness.redrive(failed);

    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.statesEntered).toEqual(['Generate Receipt']);
    expect(redriven.order?.status).toBe('COMPLETED');
    expect(redriven.order?.receipt).toMatchObject({ status: 'AVAILABLE', htmlKey: `receipts/${failed.order.orderId}/receipt.html` });
    expect(redriven.order?.receipt?.error).toBeUndefined();
    expect(redriven.order?.steps['Generate Receipt']).toMatchObject({ status: 'SUCCEEDED', attempts: 7 });
    expect(harness.metrics.counts.get('OrdersCompleted')).toBe(1);
    expect((await payment(failed.order.orderId))?.status).toBe('CAPTURED');
  });

  it('gives up after 6 attempts when the provider stays down, and releases the authorization', async () => {
    const outcome = await harness.run(orderRecord(orderRequest({ payment: { token: 'tok_unavailable' } })));

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('ProviderUnavailable');
    expect(outcome.retries).toEqual({ 'Authorize Payment': 5 });
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Void Payment', 'Order Failed']);
    expect(outcome.order.status).toBe('FAILED');
    expect(outcome.order.steps['Authorize Payment']).toMatchObject({ status: 'RETRYING', attempts: 6 });
    expect(outcome.order.failure).toMatchObject({ code: 'ProviderUnavailable', step: 'Authorize Payment' });
    // The void leaves a tombstone: a late authorization under this order can never succeed.
    expect((await payment(outcome.order.orderId))?.status).toBe('VOIDED');
  });

  it('sends a Stripe key Stripe refuses (401) to operators without retrying: ProviderMisconfigured fails the execution at Void Payment with CompensationFailed', async () => {
    const stripe = stripeAnswering(() => ({ status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_live_****' } } }));
    harness.payments = stripe.provider;
    const outcome = await harness.run(orderRecord());

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('CompensationFailed');
    expect(outcome.retries).toEqual({});
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Void Payment']);
    const failures = outcome.events.flatMap((event) => (event.type === 'StateFailed' ? [event.Error] : []));
    expect(failures).toEqual(['ProviderMisconfigured', 'CompensationFailed']);
    expect(outcome.order.status).toBe('CANCELLING');
    expect(outcome.order.steps['Void Payment']).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'ProviderMisconfigured' } });
    expect(stripe.calls.map((call) => call.path.split('?')[0])).toEqual(['/v1/payment_intents', '/v1/payment_intents/search']);
  });

  it('sends an execution for an unknown order to operators without retrying or writing anything', async () => {
    const orderId = 'ord_0123456789abcdef0123456789abcdef';
    const outcome = await harness.execute({ orderId });

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('CompensationFailed');
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Void Payment']);
    expect(outcome.retries).toEqual({});
    expect(outcome.order).toBeUndefined();
    expect(await payment(orderId)).toBeUndefined();
  });

  it('rejects malformed state input with InvalidTaskInput before any write', async () => {
    const outcome = await harness.execute({ orderId: '../../etc/passwd' });

    expect(outcome.status).toBe('FAILED');
    const failures = outcome.events.flatMap((event) => (event.type === 'StateFailed' ? [event.Error] : []));
    expect(failures).toEqual(['InvalidTaskInput', 'CompensationFailed']);
    expect(outcome.error).toBe('CompensationFailed');
    expect(outcome.retries).toEqual({});
  });

  it('stops at Cancel Shipment with CompensationFailed when the carrier stays down, and records it on the order', async () => {
    harness.cancelFailsWith = new ProviderUnavailable('The carrier is down');
    const outcome = await harness.run(orderRecord(orderRequest({ shippingAddress: { ...orderRequest().shippingAddress, country: 'AQ' } })));

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('CompensationFailed');
    expect(outcome.statesEntered).toEqual(['Authorize Payment', 'Create Shipment', 'Cancel Shipment']);
    expect(outcome.retries).toEqual({ 'Cancel Shipment': 6 });
    const failures = outcome.events.flatMap((event) => (event.type === 'StateFailed' ? [event.Error] : []));
    expect(failures).toEqual(['AddressNotServiceable', ...Array<string>(6).fill('ProviderUnavailable'), 'CompensationFailed']);
    expect(outcome.order.status).toBe('CANCELLING');
    expect(outcome.order.steps['Cancel Shipment']).toMatchObject({ status: 'FAILED', attempts: 7, error: { code: 'ProviderUnavailable' } });
    expect(outcome.order.steps['Void Payment'].status).toBe('PENDING');
    expect((await payment(outcome.order.orderId))?.status).toBe('AUTHORIZED');
  });

  it('completes the compensation when the failed execution is redriven after the carrier recovers', async () => {
    harness.cancelFailsWith = new ProviderUnavailable('The carrier is down');
    const failed = await harness.run(orderRecord(orderRequest({ shippingAddress: { ...orderRequest().shippingAddress, country: 'AQ' } })));
    expect(failed.error).toBe('CompensationFailed');

    harness.cancelFailsWith = undefined;
    const redriven = await harness.redrive(failed);

    expect(redriven.statesEntered).toEqual(['Cancel Shipment', 'Void Payment', 'Order Failed']);
    expect(redriven.retries).toEqual({});
    expect(redriven.status).toBe('FAILED');
    expect(redriven.error).toBe('AddressNotServiceable');
    expect(redriven.order?.status).toBe('FAILED');
    expect(redriven.order?.failure).toMatchObject({ code: 'AddressNotServiceable', step: 'Create Shipment' });
    expect(redriven.order?.steps['Cancel Shipment']).toMatchObject({ status: 'SUCCEEDED', attempts: 8 });
    expect(redriven.order?.steps['Void Payment'].status).toBe('SUCCEEDED');
    expect((await payment(failed.order.orderId))?.status).toBe('VOIDED');
  });

  it('passes each Task that stops the execution its retry count and its Retry MaxAttempts, so it knows its final attempt', () => {
    const states = (resolvedDefinition() as { States: Record<string, { Parameters?: { Payload?: Record<string, unknown> }; Retry?: { MaxAttempts: number }[]; Catch?: unknown }> }).States;
    for (const name of ['Cancel Shipment', 'Void Payment', 'Generate Receipt']) {
      const state = states[name];
      expect(state?.Retry).toHaveLength(1);
      expect(state?.Parameters?.Payload).toMatchObject({ 'retryCount.$': '$$.State.RetryCount', maxAttempts: state?.Retry?.[0]?.MaxAttempts });
      // Uncaught, so the execution fails at this Task and a redrive reruns it.
      expect(state?.Catch).toBeUndefined();
    }
  });
});
