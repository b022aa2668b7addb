import type { FailureRecord, OrderPatch, OrderRecord, OrderStatus, StepName } from '#domain/order';
import type { OrderChange } from '#domain/order-events';
import type { OrderRepository, StepFailure, StepStart } from '#ports/order-repository';

/**
 * An OrderRepository that records every write that changed the order as an (old, new) image pair:
 * what the orders table's stream (NEW_AND_OLD_IMAGES) would deliver for a saga run one order at a time.
 */
export class RecordingOrderRepository implements OrderRepository {
  readonly changes: OrderChange[] = [];

  constructor(private readonly inner: OrderRepository) {}

  private async recorded<T>(orderId: string, write: () => Promise<T>): Promise<T> {
    const before = await this.inner.get(orderId);
    try {
      return await write();
    } finally {
      const after = await this.inner.get(orderId);
      if (after && JSON.stringify(before) !== JSON.stringify(after)) this.changes.push({ ...(before ? { oldOrder: before } : {}), newOrder: after });
    }
  }

  create(order: OrderRecord): Promise<'created' | 'exists'> {
    return this.recorded(order.orderId, () => this.inner.create(order));
  }

  get(orderId: string): Promise<OrderRecord | undefined> {
    return this.inner.get(orderId);
  }

  startStep(orderId: string, step: StepName, now: Date): Promise<StepStart> {
    return this.recorded(orderId, () => this.inner.startStep(orderId, step, now));
  }

  finishStep(orderId: string, step: StepName, patch: OrderPatch, now: Date, attemptStartedAt: Date): Promise<boolean> {
    return this.recorded(orderId, () => this.inner.finishStep(orderId, step, patch, now, attemptStartedAt));
  }

  failStep(orderId: string, step: StepName, failure: StepFailure, now: Date, attemptStartedAt: Date): Promise<OrderStatus | undefined> {
    return this.recorded(orderId, () => this.inner.failStep(orderId, step, failure, now, attemptStartedAt));
  }

  failSubmission(orderId: string, failure: FailureRecord, now: Date): Promise<void> {
    return this.recorded(orderId, () => this.inner.failSubmission(orderId, failure, now));
  }
}
