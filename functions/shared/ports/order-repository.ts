import type { FailureRecord, OrderPatch, OrderRecord, OrderStatus, StepName } from '#domain/order';

export type StepStart = { kind: 'started'; order: OrderRecord } | { kind: 'alreadySucceeded'; order: OrderRecord };

/** How a step ended without success. */
export interface StepFailure {
  error: { code: string; message: string };
  /** True when Step Functions will retry the step. */
  retrying: boolean;
  /** Set when this failure ends the order by itself (no compensation needed). */
  orderFailure?: FailureRecord;
  /** Set when the order goes on without this step (STEP_RULES `onFinalFailure`): what it records. */
  settlement?: OrderPatch;
}

/** Persistence port for orders. Every status change is a conditional write. */
export interface OrderRepository {
  /** Inserts a new order; 'exists' when the id is taken (an idempotent replay). */
  create(order: OrderRecord): Promise<'created' | 'exists'>;
  get(orderId: string): Promise<OrderRecord | undefined>;
  /**
   * Begins a step attempt; refuses if the order's status does not allow the step. A compensation
   * step records itself at once (the order turns CANCELLING, which stops late forward steps);
   * a forward step only reads, and its attempt is recorded with its outcome: one write, not two.
   */
  startStep(orderId: string, step: StepName, now: Date): Promise<StepStart>;
  /**
   * Records a step's success (and a forward step's attempt), moving the order forward. A duplicate
   * success is a no-op and returns false.
   */
  finishStep(orderId: string, step: StepName, patch: OrderPatch, now: Date, attemptStartedAt: Date): Promise<boolean>;
  /**
   * Records a failed attempt (and, for a terminal failure, fails the order; for a settlement, moves
   * it on); returns the status the order had. Undefined when the order no longer takes it (the step
   * succeeded, or the order moved on).
   */
  failStep(orderId: string, step: StepName, failure: StepFailure, now: Date, attemptStartedAt: Date): Promise<OrderStatus | undefined>;
  /** Fails an order whose workflow could not be started. */
  failSubmission(orderId: string, failure: FailureRecord, now: Date): Promise<void>;
}
