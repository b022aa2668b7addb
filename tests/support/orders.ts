import type { OrderRecord } from '#domain/order';
import { newOrderId } from '#domain/order-ids';
import type { OrderRequest } from '#domain/order-request';
import { newOrderRecord } from '../../functions/create-order/place-order';

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
  const record = newOrderRecord(newOrderId('key-a'), { apiKeyId: 'key-a', request }, new Date('2026-11-25T10:00:00.000Z'));
  return { ...record, ...overrides };
}
