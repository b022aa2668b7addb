import { type OrderRecord, pendingSteps } from '../../functions/shared/orders/order';
import { newOrderId, sha256 } from '../../functions/shared/orders/order-ids';
import type { OrderRequest } from '../../functions/shared/orders/order-request';
import { priceOrder } from '../../functions/shared/orders/pricing';

/** A valid POST /orders body; override any part. */
export function orderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    customerId: 'cust-1001',
    items: [
      { sku: 'TSHIRT-BLK-M', quantity: 2 },
      { sku: 'MUG-CERAMIC', quantity: 1 },
    ],
    shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical Way', city: 'Springfield', postalCode: '12345', country: 'US' },
    payment: { token: 'tok_visa' },
    ...overrides,
  };
}

/** An order record as placeOrder would store it, in status RECEIVED unless overridden. */
export function orderRecord(request: OrderRequest = orderRequest(), overrides: Partial<OrderRecord> = {}): OrderRecord {
  const priced = priceOrder(request);
  const now = new Date('2026-11-25T10:00:00.000Z').toISOString();
  return {
    orderId: newOrderId('key-a'),
    ownerApiKeyId: 'key-a',
    customerId: request.customerId,
    status: 'RECEIVED',
    createdAt: now,
    updatedAt: now,
    currency: priced.currency,
    lines: priced.lines,
    totals: priced.totals,
    shippingAddress: request.shippingAddress,
    paymentToken: request.payment.token,
    requestHash: sha256(JSON.stringify(request)),
    steps: pendingSteps(),
    ...overrides,
  };
}
