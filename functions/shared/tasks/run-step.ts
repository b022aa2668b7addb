import { CompensationFailed, OrderStateConflict, PermanentError, TransientError, describeError } from '#domain/errors';
import { type OrderPatch, type OrderRecord, type StepName, recordsStart } from '#domain/order';
import { classifyDependencyError } from '#platform/dependency-errors';
import { logger } from '#platform/powertools';
import type { OrderRepository, StepFailure } from '#ports/order-repository';
import { type CompensationInput, isFinalAttempt, parseCompensationInput } from '#tasks/task-input';

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
  /** Runs once the success is recorded (not on a duplicate invocation), e.g. to count a business metric. */
  afterSuccess?: () => void;
  /** When set and true for an error, that error fails the whole order on the spot. */
  failsOrder?: (error: PermanentError) => { message: string } | undefined;
  /** No retry follows this attempt: a transient error is recorded as the step's final FAILED, not RETRYING. */
  finalAttempt?: boolean;
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
  try {
    const { result, patch } = await definition.perform(started.order);
    await deps.orders.finishStep(orderId, definition.step, patch, deps.now(), attemptStartedAt);
    logger.info('Step succeeded', { step: definition.step, attempt });
    definition.afterSuccess?.();
    return result;
  } catch (raw) {
    const error = classifyDependencyError(raw);
    const { name, message } = describeError(error);
    const terminal = error instanceof PermanentError ? definition.failsOrder?.(error) : undefined;
    const failure: StepFailure = {
      error: { code: name, message },
      retrying: error instanceof TransientError && definition.finalAttempt !== true,
      ...(terminal ? { orderFailure: { code: name, message: terminal.message, step: definition.step } } : {}),
    };
    logger.warn('Step failed', { step: definition.step, attempt, errorType: name, errorMessage: message, retrying: failure.retrying });
    try {
      await deps.orders.failStep(orderId, definition.step, failure, deps.now(), attemptStartedAt);
    } catch (bookkeeping) {
      // The original error decides retry or compensation; a failed status write must not mask it.
      logger.error('Could not record the step failure', { step: definition.step, error: describeError(bookkeeping) });
    }
    throw error;
  }
}

/**
 * Runs a compensation step. Its last failure (a transient error on the final attempt, or any other
 * error, invalid input included) is recorded on the order as the step's FAILED when the order can be
 * written, then raised as CompensationFailed, which the ASL neither retries nor catches: the
 * execution fails at this Task, and an operator's redrive (POST /admin/orders/{id}/retry) runs it
 * again once the fault is gone.
 */
export async function runCompensation<R>(
  deps: StepDependencies,
  rawInput: unknown,
  step: StepName,
  define: (input: CompensationInput) => Omit<StepDefinition<R>, 'step' | 'finalAttempt'>,
): Promise<R> {
  let finalAttempt = false;
  try {
    const input = parseCompensationInput(rawInput);
    finalAttempt = isFinalAttempt(input);
    return await runStep(deps, input.orderId, { ...define(input), step, finalAttempt });
  } catch (raw) {
    const error = classifyDependencyError(raw);
    if (error instanceof TransientError && !finalAttempt) throw error;
    const { name, message } = describeError(error);
    logger.error('Compensation failed for good; the execution stops here until an operator retries it', { step, errorType: name, errorMessage: message });
    throw new CompensationFailed(`${step} failed for good (${name}): ${message}`);
  }
}

/**
 * A value the order must already hold at this point of the saga (an earlier step recorded it), for
 * `perform` and `recall`; its absence means the order and the workflow disagree: OrderStateConflict.
 */
export function requireRecorded<T>(value: T | undefined | null, what: string, orderId: string): T {
  if (value === undefined || value === null) throw new OrderStateConflict(`Order ${orderId} has no ${what}`);
  return value;
}
