import { toOrderView } from '#api/order-view';
import { type OrderRecord, pendingSteps } from '#domain/order';
import { orderRecord, orderRequest } from '../support/orders';

const BASE = '/dev/orders';

/** A failed order whose shipment was cancelled and payment voided after Capture Payment failed. */
function compensatedOrder(): OrderRecord {
  const steps = pendingSteps();
  const done = (startedAt: string) => ({ status: 'SUCCEEDED' as const, attempts: 1, startedAt, finishedAt: startedAt });
  steps['Authorize Payment'] = done('2026-11-25T10:00:01.000Z');
  steps['Create Shipment'] = done('2026-11-25T10:00:02.000Z');
  steps['Capture Payment'] = {
    status: 'FAILED',
    attempts: 1,
    startedAt: '2026-11-25T10:00:03.000Z',
    finishedAt: '2026-11-25T10:00:03.000Z',
    error: { code: 'CaptureDeclined', message: 'Capture declined by the issuer (simulated)' },
  };
  steps['Cancel Shipment'] = done('2026-11-25T10:00:04.000Z');
  steps['Void Payment'] = { status: 'RUNNING', attempts: 2, startedAt: '2026-11-25T10:00:05.000Z' };
  return orderRecord(orderRequest({ payment: { token: 'tok_capture_declined' } }), {
    status: 'CANCELLING',
    idempotencyKey: 'checkout-7',
    steps,
    failure: { code: 'CaptureDeclined', message: 'The payment could not be completed.', step: 'Capture Payment' },
    shipment: { shipmentId: 'shp_1', carrier: 'SimPost Ground', trackingNumber: 'SP1', status: 'CANCELLED' },
  });
}

describe('toOrderView', () => {
  it('shows the four main steps, and no compensation step, for an order no compensation has touched', () => {
    const view = toOrderView(orderRecord(), BASE);

    expect(view.timeline).toEqual(
      ['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt'].map((step) => ({
        step,
        status: 'PENDING',
        startedAt: null,
        finishedAt: null,
        attempts: 0,
      })),
    );
  });

  it('adds a compensation step to the timeline only once it has been attempted', () => {
    const view = toOrderView(compensatedOrder(), BASE);

    expect(view.timeline.map((entry) => entry.step)).toEqual([
      'Authorize Payment',
      'Create Shipment',
      'Capture Payment',
      'Generate Receipt',
      'Cancel Shipment',
      'Void Payment',
    ]);
    expect(view.timeline.find((entry) => entry.step === 'Void Payment')).toEqual({
      step: 'Void Payment',
      status: 'RUNNING',
      startedAt: '2026-11-25T10:00:05.000Z',
      finishedAt: null,
      attempts: 2,
    });
  });

  it('never exposes the payment token, owner API key, request hash, idempotency key or street address', () => {
    const order = compensatedOrder();
    const view = toOrderView(order, BASE);
    const text = JSON.stringify(view);

    for (const hidden of ['paymentToken', 'ownerApiKeyId', 'requestHash', 'idempotencyKey', 'shippingAddress', 'line1', 'postalCode']) {
      expect(text).not.toContain(`"${hidden}"`);
    }
    expect(text).not.toContain(order.paymentToken);
    expect(text).not.toContain(order.ownerApiKeyId);
    expect(text).not.toContain(order.requestHash);
    expect(text).not.toContain('checkout-7');
    expect(text).not.toContain(order.shippingAddress.line1);
    // Step error details are internal; the customer sees the failure message only.
    expect(text).not.toContain('(simulated)');
  });

  it('carries status, lines, totals, shipment, failure and links for the customer', () => {
    const order = compensatedOrder();
    const view = toOrderView(order, BASE);

    expect(view).toMatchObject({
      orderId: order.orderId,
      customerId: 'cust-1001',
      status: 'CANCELLING',
      items: order.lines,
      totals: order.totals,
      total: order.totals.total,
      shipment: { carrier: 'SimPost Ground', trackingNumber: 'SP1', status: 'CANCELLED' },
      receipt: { available: false, status: 'PENDING' },
      failure: { code: 'CaptureDeclined', message: 'The payment could not be completed.', step: 'Capture Payment' },
      links: { self: `${BASE}/${order.orderId}`, receipt: `${BASE}/${order.orderId}/receipt` },
    });
  });

  it('reports no shipment and no failure for a new order, and an available receipt once stored', () => {
    expect(toOrderView(orderRecord(), BASE)).toMatchObject({ shipment: null, failure: null, receipt: { available: false, status: 'PENDING' } });
    expect(
      toOrderView(orderRecord(orderRequest(), { receipt: { status: 'AVAILABLE', htmlKey: 'h' } }), BASE).receipt,
    ).toEqual({ available: true, status: 'AVAILABLE' });
    expect(toOrderView(orderRecord(orderRequest(), { receipt: { status: 'FAILED' } }), BASE).receipt).toEqual({
      available: false,
      status: 'FAILED',
    });
  });
});
