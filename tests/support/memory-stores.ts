import { OrderNotFound, OrderStateConflict } from '#domain/errors';
import { type FailureRecord, type OrderPatch, type OrderRecord, type OrderStatus, type StepName, FORGOTTEN_ON_FAILURE, STEP_RULES, recordsStart } from '#domain/order';
import type { OrderRepository, StepFailure, StepStart } from '#ports/order-repository';
import type { OrderSubscriptions } from '#ports/order-subscriptions';
import { type LedgerEntry, type LedgerGuard, type SimulatorLedger, guardHolds } from '#ports/simulator-ledger';

/*
 * In-memory twins of the DynamoDB adapters, with the same conditions: the integration suites run
 * the same cases against both, and the benchmark's engine-only baseline runs on them.
 */

const copy = <T>(value: T): T => structuredClone(value);

/** Orders in a Map, with DynamoDbOrderRepository's conditional-write rules. */
export class MemoryOrderRepository implements OrderRepository {
  readonly items = new Map<string, OrderRecord>();

  create(order: OrderRecord): Promise<'created' | 'exists'> {
    if (this.items.has(order.orderId)) return Promise.resolve('exists');
    this.items.set(order.orderId, copy(order));
    return Promise.resolve('created');
  }

  get(orderId: string): Promise<OrderRecord | undefined> {
    const order = this.items.get(orderId);
    return Promise.resolve(order && copy(order));
  }

  private allowed(step: StepName): readonly string[] {
    const rule = STEP_RULES[step];
    return rule.whileRunning ? [...rule.startFrom, rule.whileRunning] : rule.startFrom;
  }

  /** The DynamoDB adapter's answer when its condition fails. */
  private refused(orderId: string, step: StepName, verb: 'start' | 'finish'): OrderRecord {
    const order = this.items.get(orderId);
    if (!order) throw new OrderNotFound(`Order ${orderId} does not exist`);
    if (order.steps[step].status === 'SUCCEEDED') return order;
    throw new OrderStateConflict(`${step} cannot ${verb} while order ${orderId} is ${order.status}`);
  }

  startStep(orderId: string, step: StepName, now: Date): Promise<StepStart> {
    const order = this.items.get(orderId);
    if (!order || !this.allowed(step).includes(order.status) || order.steps[step].status === 'SUCCEEDED') {
      try {
        return Promise.resolve({ kind: 'alreadySucceeded', order: copy(this.refused(orderId, step, 'start')) });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    if (!recordsStart(step)) return Promise.resolve({ kind: 'started', order: copy(order) });
    const record = order.steps[step];
    record.status = 'RUNNING';
    record.startedAt ??= now.toISOString();
    record.attempts += 1;
    order.updatedAt = now.toISOString();
    const whileRunning = STEP_RULES[step].whileRunning;
    if (whileRunning) order.status = whileRunning;
    return Promise.resolve({ kind: 'started', order: copy(order) });
  }

  /** A forward step's attempt, recorded with its outcome. */
  private recordAttempt(order: OrderRecord, step: StepName, attemptStartedAt: Date): void {
    if (recordsStart(step)) return;
    order.steps[step].attempts += 1;
    order.steps[step].startedAt ??= attemptStartedAt.toISOString();
  }

  finishStep(orderId: string, step: StepName, patch: OrderPatch, now: Date, attemptStartedAt: Date): Promise<boolean> {
    const order = this.items.get(orderId);
    if (!order || !this.allowed(step).includes(order.status) || order.steps[step].status === 'SUCCEEDED') {
      try {
        this.refused(orderId, step, 'finish');
        return Promise.resolve(false);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.recordAttempt(order, step, attemptStartedAt);
    const record = order.steps[step];
    record.status = 'SUCCEEDED';
    record.finishedAt = now.toISOString();
    delete record.error;
    order.updatedAt = now.toISOString();
    order.status = STEP_RULES[step].onSuccess;
    for (const [key, value] of Object.entries(copy(patch))) {
      if ((value as unknown) !== undefined) Object.assign(order, { [key]: value });
    }
    if (STEP_RULES[step].forgets?.includes('paymentToken')) delete order.paymentToken;
    return Promise.resolve(true);
  }

  failStep(orderId: string, step: StepName, failure: StepFailure, now: Date, attemptStartedAt: Date): Promise<OrderStatus | undefined> {
    const order = this.items.get(orderId);
    const settledTo = failure.settlement ? STEP_RULES[step].onFinalFailure : undefined;
    const moves = failure.orderFailure !== undefined || settledTo !== undefined;
    if (!order || order.steps[step].status === 'SUCCEEDED' || (moves && !STEP_RULES[step].startFrom.includes(order.status))) return Promise.resolve(undefined);
    const from = order.status;
    this.recordAttempt(order, step, attemptStartedAt);
    const record = order.steps[step];
    record.status = failure.retrying ? 'RETRYING' : 'FAILED';
    record.error = copy(failure.error);
    if (!failure.retrying) record.finishedAt = now.toISOString();
    order.updatedAt = now.toISOString();
    if (failure.orderFailure) {
      order.status = 'FAILED';
      order.failure = copy(failure.orderFailure);
      if (FORGOTTEN_ON_FAILURE.includes('paymentToken')) delete order.paymentToken;
    }
    if (failure.settlement && settledTo) {
      order.status = settledTo;
      Object.assign(order, copy(failure.settlement));
    }
    return Promise.resolve(from);
  }

  failSubmission(orderId: string, failure: FailureRecord, now: Date): Promise<void> {
    const order = this.items.get(orderId);
    if (order?.status === 'RECEIVED') {
      order.status = 'FAILED';
      order.failure = copy(failure);
      order.updatedAt = now.toISOString();
    }
    return Promise.resolve();
  }
}

/** The simulators' ledger in a Map, with DynamoDbSimulatorLedger's conditions. */
export class MemorySimulatorLedger implements SimulatorLedger {
  readonly items = new Map<string, LedgerEntry>();
  private readonly attempts = new Map<string, number>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  get<T extends LedgerEntry>(pk: string): Promise<T | undefined> {
    const entry = this.items.get(pk);
    return Promise.resolve(entry && (copy(entry) as T));
  }

  insert<T extends LedgerEntry>(entry: T): Promise<T> {
    const existing = this.items.get(entry.pk);
    if (existing) return Promise.resolve(copy(existing) as T);
    this.items.set(entry.pk, copy(entry));
    return Promise.resolve(entry);
  }

  transition<T extends LedgerEntry>(pk: string, from: readonly string[], to: string, set: Record<string, unknown>, guards: readonly LedgerGuard[] = []): Promise<T | undefined> {
    const entry = this.items.get(pk);
    if (!entry || !from.includes(entry.status) || !guards.every((guard) => guardHolds(entry, guard))) return Promise.resolve(undefined);
    Object.assign(entry, copy(set), { status: to, updatedAt: this.now().toISOString() });
    return Promise.resolve(copy(entry) as T);
  }

  countAttempt(key: string): Promise<number> {
    const attempts = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempts);
    return Promise.resolve(attempts);
  }
}

/** The part of the connections table pushOrderView uses, in memory: connection id → order id (and when it connected). */
export class MemorySubscriptions implements Pick<OrderSubscriptions, 'forOrder' | 'unsubscribe' | 'forgetGone'> {
  constructor(
    readonly rows: Map<string, string>,
    private readonly connectedAt = new Map<string, Date>(),
  ) {}
  forgetGone(connectionId: string, connectedBefore: Date): Promise<boolean> {
    const at = this.connectedAt.get(connectionId) ?? new Date(0);
    if (!this.rows.has(connectionId) || at >= connectedBefore) return Promise.resolve(false);
    this.rows.delete(connectionId);
    return Promise.resolve(true);
  }
  forOrder(orderId: string): Promise<string[]> {
    return Promise.resolve([...this.rows].filter(([, order]) => order === orderId).map(([id]) => id));
  }
  unsubscribe(connectionId: string): Promise<void> {
    this.rows.delete(connectionId);
    return Promise.resolve();
  }
}
