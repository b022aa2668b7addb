import { CompensationFailed, OrderStateConflict, PermanentError, ReceiptGenerationFailed, TransientError, describeError } from '#domain/errors';
import { type OrderPatch, type OrderRecord, type OrderStatus, type StepName, recordsStart } from '#domain/order';
import { classifyDependencyError } from '#platform/dependency-errors';
import { logger } from '#platform/powertools';
import type { OrderRepository, StepFailure } from '#ports/order-repository';
import { type CompensationInput, type TaskInput, isFinalAttempt, parseCompensationInput, parseTaskInput } from '#tasks/task-input';

export interface StepDependencies {
  orders: OrderRepository;
  now: () => Date;
}

export interface StepDefinition<R> {
  step: StepName;
  /** Does the step's work against the order as it stood when the attempt started. */
  perform: (order: OrderRecord) => Promise<{ result: R; patch: OrderPatch }>;
  /** Rebuilds the result from the order when a duplicate invocation finds the step already done. */
  recall: (order: OrderRecord) => R;
  /** Runs once the success is recorded (not on a duplicate invocation), given the status the order was read in, e.g. to count a business metric. */
  afterSuccess?: (from: OrderStatus) => void;
  /** When set and true for an error, that error fails the whole order on the spot. */
  failsOrder?: (error: PermanentError) => { message: string } | undefined;
  /** No retry follows this attempt: a transient error is recorded as the step's final FAILED, not RETRYING. */
  finalAttempt?: boolean;
  /**
   * For a step the order goes on without (STEP_RULES `onFinalFailure`): what its final failure
   * records on the order, and what runs once that is recorded.
   */
  settlesOnFinalFailure?: { patch: (error: { code: string; message: string }) => OrderPatch; afterSettled?: (from: OrderStatus) => void };
}

/**
 * Runs one state-machine step with its bookkeeping: a consistent read of the order (for a
 * compensation, a conditional "started" write), the work, then a conditional "succeeded" or
 * "failed" write that also records the attempt. A repeated invocation of a finished step returns
 * the recorded result and calls no provider.
 */
export async function runStep<R>(deps: StepDependencies, orderId: string, definition: StepDefinition<R>): Promise<R> {
  let started: Awaited<ReturnType<StepDependencies['orders']['startStep']>>;
  const attemptStartedAt = deps.now();
  try {
    started = await deps.orders.startStep(orderId, definition.step, attemptStartedAt);
  } catch (error) {
    // An unreachable table must be retried like any other dependency outage, not compensated.
    throw classifyDependencyError(error);
  }
  if (started.kind === 'alreadySucceeded') {
    logger.info('Step already succeeded; returning the recorded result', { step: definition.step });
    return definition.recall(started.order);
  }
  // Compensations have recorded this attempt already; forward steps record it with the outcome.
  const attempt = started.order.steps[definition.step].attempts + (recordsStart(definition.step) ? 0 : 1);
  logger.info('Step started', { step: definition.step, attempt, orderStatus: started.order.status });
  const order = started.order;
  return attemptStep(deps, orderId, definition, () => definition.perform(order), attemptStartedAt, { attempt, status: order.status });
}

/**
 * Runs a forward step whose inputs the execution's state carries, without reading the order first:
 * the work, then the same conditional "succeeded" or "failed" write as runStep. A repeated
 * invocation calls the provider again under the same idempotency key, which answers as before,
 * and its "succeeded" write finds the step done and changes nothing.
 */
export function runStepFromState<R>(
  deps: StepDependencies,
  orderId: string,
  definition: Omit<StepDefinition<R>, 'perform' | 'recall' | 'afterSuccess'> & { perform: () => Promise<{ result: R; patch: OrderPatch }> },
): Promise<R> {
  logger.info('Step started', { step: definition.step });
  return attemptStep(deps, orderId, definition, definition.perform, deps.now());
}

/** One attempt's work and its outcome write (runStep, runStepFromState). */
async function attemptStep<R>(
  deps: StepDependencies,
  orderId: string,
  definition: Omit<StepDefinition<R>, 'perform' | 'recall'>,
  perform: () => Promise<{ result: R; patch: OrderPatch }>,
  attemptStartedAt: Date,
  /** The attempt's number and the order's status when it was read (runStep). */
  started?: { attempt: number; status: OrderStatus },
): Promise<R> {
  const attempt = started?.attempt;
  try {
    const { result, patch } = await perform();
    const recorded = await deps.orders.finishStep(orderId, definition.step, patch, deps.now(), attemptStartedAt);
    logger.info('Step succeeded', { step: definition.step, attempt });
    if (recorded && started) definition.afterSuccess?.(started.status);
    return result;
  } catch (raw) {
    const error = classifyDependencyError(raw);
    const { name, message } = describeError(error);
    const terminal = error instanceof PermanentError ? definition.failsOrder?.(error) : undefined;
    const retrying = error instanceof TransientError && definition.finalAttempt !== true;
    const settlement = retrying ? undefined : definition.settlesOnFinalFailure;
    const failure: StepFailure = {
      error: { code: name, message },
      retrying,
      ...(terminal ? { orderFailure: { code: name, message: terminal.message, step: definition.step } } : {}),
      ...(settlement ? { settlement: settlement.patch({ code: name, message }) } : {}),
    };
    logger.warn('Step failed', { step: definition.step, attempt, errorType: name, errorMessage: message, retrying });
    try {
      const from = await deps.orders.failStep(orderId, definition.step, failure, deps.now(), attemptStartedAt);
      if (from !== undefined) settlement?.afterSettled?.(from);
    } catch (bookkeeping) {
      // The original error decides retry or compensation; a failed status write must not mask it.
      logger.error('Could not record the step failure', { step: definition.step, error: describeError(bookkeeping) });
    }
    throw error;
  }
}

/**
 * Runs a step whose last failure stops the execution: a transient error on the final attempt, or
 * any other error (invalid input included), is recorded on the order when it can be written, then
 * raised as `stop`'s error, which the ASL neither retries nor catches. The execution fails at this
 * Task, operators are alerted, and a redrive (POST /admin/orders/{id}/retry) runs it again once the
 * fault is gone.
 */
async function runToStop<I extends TaskInput, R>(
  deps: StepDependencies,
  rawInput: unknown,
  step: StepName,
  parse: (raw: unknown) => I,
  define: (input: I) => Omit<StepDefinition<R>, 'step' | 'finalAttempt'>,
  stop: (message: string) => PermanentError,
): Promise<R> {
  let finalAttempt = false;
  try {
    const input = parse(rawInput);
    finalAttempt = isFinalAttempt(input);
    return await runStep(deps, input.orderId, { ...define(input), step, finalAttempt });
  } catch (raw) {
    const error = classifyDependencyError(raw);
    if (error instanceof TransientError && !finalAttempt) throw error;
    const { name, message } = describeError(error);
    logger.error('Step failed for good; the execution stops here until an operator retries it', { step, errorType: name, errorMessage: message });
    throw stop(`${step} failed for good (${name}): ${message}`);
  }
}

/** A compensation step: it stops the execution with CompensationFailed (see runToStop). */
export function runCompensation<R>(
  deps: StepDependencies,
  rawInput: unknown,
  step: StepName,
  define: (input: CompensationInput) => Omit<StepDefinition<R>, 'step' | 'finalAttempt'>,
): Promise<R> {
  return runToStop(deps, rawInput, step, parseCompensationInput, define, (message) => new CompensationFailed(message));
}

/**
 * The last step, which the order can go on without: its final failure settles the order
 * (`settlesOnFinalFailure`), then stops the execution with ReceiptGenerationFailed (see runToStop).
 */
export function runFinalStep<R>(
  deps: StepDependencies,
  rawInput: unknown,
  step: StepName,
  define: (input: TaskInput) => Omit<StepDefinition<R>, 'step' | 'finalAttempt'>,
): Promise<R> {
  return runToStop(deps, rawInput, step, parseTaskInput, define, (message) => new ReceiptGenerationFailed(message));
}

/**
 * A value the order must already hold at this point of the saga (an earlier step recorded it), for
 * `perform` and `recall`; its absence means the order and the workflow disagree: OrderStateConflict.
 */
export function requireRecorded<T>(value: T | undefined | null, what: string, orderId: string): T {
  if (value === undefined || value === null) throw new OrderStateConflict(`Order ${orderId} has no ${what}`);
  return value;
}
