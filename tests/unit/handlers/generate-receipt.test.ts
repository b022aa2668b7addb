import { generateReceipt } from '../../../functions/generate-receipt/generate-receipt';
import { ReceiptGenerationFailed } from '#domain/errors';
import type { OrderRecord } from '#domain/order';
import { DependencyUnavailable } from '#platform/dependency-errors';
import { MemoryOrderRepository } from '../../support/memory-stores';
import { MemoryReceiptStore, RecordingMetrics, awsServiceError } from '../../support/fakes';
import { orderRecord } from '../../support/orders';

/** A paid, shipped, captured order: where Generate Receipt starts. */
function capturedOrder(): OrderRecord {
  return orderRecord(undefined, {
    status: 'PAYMENT_CAPTURED',
    payment: { authorizationId: 'auth_1', captureId: 'cap_1', status: 'CAPTURED', amount: { amount: 1000, currency: 'EUR' } },
    shipment: { shipmentId: 'shp_1', carrier: 'SimPost Ground', trackingNumber: 'SP1', status: 'CREATED' },
  });
}

describe('generateReceipt', () => {
  const order = capturedOrder();
  let orders: MemoryOrderRepository;
  let receipts: MemoryReceiptStore;
  let metrics: RecordingMetrics;
  const run = (input: Record<string, unknown>) => generateReceipt({ orders, receipts, metrics, now: () => new Date('2026-12-01T10:00:00.000Z') }, { orderId: order.orderId, ...input });

  beforeEach(async () => {
    orders = new MemoryOrderRepository();
    receipts = new MemoryReceiptStore();
    metrics = new RecordingMetrics();
    await orders.create(order);
    receipts.failWith = awsServiceError('ServiceUnavailable', 503, 'S3 is down');
  });

  it('leaves a transient failure with retries left to Step Functions: the step is RETRYING and the order waits', async () => {
    await expect(run({ retryCount: 4, maxAttempts: 5 })).rejects.toBeInstanceOf(DependencyUnavailable);
    const stored = await orders.get(order.orderId);
    expect(stored?.status).toBe('PAYMENT_CAPTURED');
    expect(stored?.steps['Generate Receipt'].status).toBe('RETRYING');
    expect(stored?.receipt).toBeUndefined();
    expect(metrics.counts.size).toBe(0);
  });

  it('completes the order with its receipt FAILED on the final attempt, then stops the execution with ReceiptGenerationFailed', async () => {
    const outcome = run({ retryCount: 5, maxAttempts: 5 });
    await expect(outcome).rejects.toBeInstanceOf(ReceiptGenerationFailed);
    await expect(outcome).rejects.toThrow('Generate Receipt failed for good (DependencyUnavailable)');
    const stored = await orders.get(order.orderId);
    expect(stored).toMatchObject({ status: 'COMPLETED', receipt: { status: 'FAILED', error: { code: 'DependencyUnavailable' } } });
    expect(stored?.steps['Generate Receipt']).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(Object.fromEntries(metrics.counts)).toEqual({ ReceiptsFailed: 1, OrdersCompleted: 1 });
  });

  it('counts a repeated final failure (a redrive that fails again) as a failed receipt, not as a second completed order', async () => {
    await expect(run({ retryCount: 5, maxAttempts: 5 })).rejects.toBeInstanceOf(ReceiptGenerationFailed);
    await expect(run({ retryCount: 5, maxAttempts: 5 })).rejects.toBeInstanceOf(ReceiptGenerationFailed);
    expect(Object.fromEntries(metrics.counts)).toEqual({ ReceiptsFailed: 2, OrdersCompleted: 1 });
  });

  it('makes the receipt on the redrive once S3 is back, without counting the order completed again', async () => {
    await expect(run({ retryCount: 5, maxAttempts: 5 })).rejects.toBeInstanceOf(ReceiptGenerationFailed);
    receipts.failWith = undefined;
    await expect(run({ retryCount: 0, maxAttempts: 5 })).resolves.toEqual({ htmlKey: `receipts/${order.orderId}/receipt.html` });
    const stored = await orders.get(order.orderId);
    expect(stored).toMatchObject({ status: 'COMPLETED', receipt: { status: 'AVAILABLE' } });
    expect(stored?.receipt?.error).toBeUndefined();
    expect(stored?.steps['Generate Receipt'].status).toBe('SUCCEEDED');
    expect(Object.fromEntries(metrics.counts)).toEqual({ ReceiptsFailed: 1, OrdersCompleted: 1 });
    // A late duplicate of the final failure cannot turn the delivered receipt back into a failed one.
    receipts.failWith = new Error('late');
    await expect(run({ retryCount: 5, maxAttempts: 5 })).resolves.toMatchObject({ htmlKey: `receipts/${order.orderId}/receipt.html` });
    expect((await orders.get(order.orderId))?.receipt?.status).toBe('AVAILABLE');
  });

  it('refuses an order that is not captured yet with ReceiptGenerationFailed and records nothing', async () => {
    const early = orderRecord(undefined, { status: 'SHIPPED' });
    await orders.create(early);
    await expect(generateReceipt({ orders, receipts, metrics, now: () => new Date() }, { orderId: early.orderId })).rejects.toThrow('OrderStateConflict');
    expect((await orders.get(early.orderId))?.status).toBe('SHIPPED');
    expect(metrics.counts.size).toBe(0);
  });
});
