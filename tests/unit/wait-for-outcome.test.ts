import type { OrderRecord, OrderStatus } from '#domain/order';
import { waitForOutcome } from '../../functions/create-order/place-order';
import { orderRecord } from '../support/orders';

/**
 * A fake clock and sleep: sleeping advances the clock by exactly the requested time, so the test
 * runs instantly and every wait is recorded.
 */
class FakeTime {
  now = 1_000_000;
  readonly sleeps: number[] = [];
  readonly clock = (): number => this.now;
  readonly sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.now += ms;
    return Promise.resolve();
  };
}

/** An orders repository whose successive reads return these statuses (the last one repeats). */
function ordersReturning(...statuses: (OrderStatus | undefined)[]) {
  const base = orderRecord();
  const reads: number[] = [];
  let index = 0;
  return {
    reads,
    get: (orderId: string): Promise<OrderRecord | undefined> => {
      expect(orderId).toBe(base.orderId);
      const status = statuses[Math.min(index, statuses.length - 1)];
      index += 1;
      reads.push(index);
      return Promise.resolve(status === undefined ? undefined : { ...base, status });
    },
    orderId: base.orderId,
  };
}

describe('waitForOutcome', () => {
  it('returns the first read without sleeping when the order is already COMPLETED', async () => {
    const time = new FakeTime();
    const orders = ordersReturning('COMPLETED');

    const result = await waitForOutcome(orders, orders.orderId, 5000, time.sleep, time.clock);

    expect(result?.status).toBe('COMPLETED');
    expect(orders.reads).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('stops polling as soon as the order reaches a terminal status, backing off 100, 200 ms', async () => {
    const time = new FakeTime();
    const orders = ordersReturning('RECEIVED', 'PAYMENT_AUTHORIZED', 'FAILED', 'COMPLETED');

    const result = await waitForOutcome(orders, orders.orderId, 5000, time.sleep, time.clock);

    expect(result?.status).toBe('FAILED');
    expect(orders.reads).toHaveLength(3);
    expect(time.sleeps).toEqual([100, 200]);
  });

  it('stops at the deadline and returns the last (non-terminal) state read, never sleeping past it', async () => {
    const time = new FakeTime();
    const started = time.now;
    const orders = ordersReturning('SHIPPED');

    const result = await waitForOutcome(orders, orders.orderId, 1000, time.sleep, time.clock);

    expect(result?.status).toBe('SHIPPED');
    expect(time.sleeps).toEqual([100, 200, 400, 300]);
    expect(time.now - started).toBe(1000);
    expect(orders.reads).toHaveLength(5);
  });

  it('caps the backoff at one second between reads', async () => {
    const time = new FakeTime();
    const orders = ordersReturning('RECEIVED');

    await waitForOutcome(orders, orders.orderId, 5000, time.sleep, time.clock);

    expect(time.sleeps).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 500]);
  });

  it('reads once and does not sleep when there is no time to wait', async () => {
    const time = new FakeTime();
    const orders = ordersReturning('RECEIVED');

    const result = await waitForOutcome(orders, orders.orderId, 0, time.sleep, time.clock);

    expect(result?.status).toBe('RECEIVED');
    expect(orders.reads).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('returns undefined at once when the order does not exist', async () => {
    const time = new FakeTime();
    const orders = ordersReturning(undefined);

    await expect(waitForOutcome(orders, orders.orderId, 5000, time.sleep, time.clock)).resolves.toBeUndefined();
    expect(time.sleeps).toEqual([]);
  });

  it('stops at the deadline even when the reads themselves take time', async () => {
    const time = new FakeTime();
    const base = orderRecord();
    let reads = 0;
    const slowOrders = {
      get: () => {
        reads += 1;
        time.now += 700; // each read takes 700 ms
        return Promise.resolve<OrderRecord>({ ...base, status: 'RECEIVED' });
      },
    };

    await waitForOutcome(slowOrders, base.orderId, 2000, time.sleep, time.clock);

    // read (700) · sleep 100 · read (1500) · sleep 200 · read (2400 ≥ deadline 2000)
    expect(reads).toBe(3);
    expect(time.sleeps).toEqual([100, 200]);
  });
});
