import type { OrderRecord } from '#domain/order';
import { indexWriteUnits } from '../../bench/lib/index-write-cost';
import { orderRecord } from '../support/orders';

const BY_STATUS = {
  IndexName: 'byStatus',
  KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' }],
  Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customerId', 'totals'] },
};

describe('GSI write units (npm run cost)', () => {
  const placed = orderRecord();
  const moved = (patch: Partial<OrderRecord>): OrderRecord => ({ ...placed, ...patch });

  it('charges a put on insert, a delete and a put when the status (the index key) changes, and nothing when only unprojected attributes change', () => {
    expect(indexWriteUnits([{ newOrder: placed }], BY_STATUS, ['orderId'])).toBe(1);
    expect(indexWriteUnits([{ oldOrder: placed, newOrder: moved({ status: 'PAYMENT_AUTHORIZED' }) }], BY_STATUS, ['orderId'])).toBe(2);
    expect(indexWriteUnits([{ oldOrder: placed, newOrder: moved({ updatedAt: '2030-01-01T00:00:00.000Z' }) }], BY_STATUS, ['orderId'])).toBe(0);
  });

  it('charges one put when a projected attribute changes, and every attribute under ALL', () => {
    expect(indexWriteUnits([{ oldOrder: placed, newOrder: moved({ customerId: 'other' }) }], BY_STATUS, ['orderId'])).toBe(1);
    const all = { ...BY_STATUS, Projection: { ProjectionType: 'ALL' } };
    // An item over 1 KB (a long idempotency key), so the put of the whole item is 2 units.
    const later = moved({ updatedAt: 'later', idempotencyKey: 'k'.repeat(1024) });
    expect(indexWriteUnits([{ oldOrder: placed, newOrder: later }], all, ['orderId'])).toBe(indexWriteUnits([{ newOrder: later }], all, ['orderId']));
    expect(indexWriteUnits([{ newOrder: later }], all, ['orderId'])).toBe(2);
  });
});
