// zod/mini is tree-shakable: the task bundles carry a few KB of it instead of the whole classic API.
import * as z from 'zod/mini';
import { InvalidTaskInput } from '#domain/errors';
import { ORDER_ID_PATTERN } from '#domain/order-ids';

/** The error a Catch stored at `$.error`: Step Functions' {Error, Cause}. */
const CaughtErrorSchema = z.object({
  Error: z.string().check(z.minLength(1), z.maxLength(256)),
  Cause: z.optional(z.string().check(z.maxLength(32768))),
});

/**
 * The Payload every task receives from the state machine: the order id, the execution id for
 * log correlation, and for compensations the caught error. The order item is the source of truth.
 */
const TaskInputSchema = z.object({
  orderId: z.string().check(z.regex(ORDER_ID_PATTERN, 'Must look like ord_ followed by 32 hex characters')),
  executionId: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  error: z.optional(CaughtErrorSchema),
  /** `$$.State.RetryCount`: the retries this state has had so far. */
  retryCount: z.optional(z.int().check(z.minimum(0))),
  /** The MaxAttempts of the state's Retry, so the task knows when no retry is left. */
  maxAttempts: z.optional(z.int().check(z.minimum(0))),
  /** What Authorize Payment recorded (`$.payment`), so Capture Payment need not read the order. */
  payment: z.optional(
    z.object({
      authorizationId: z.string().check(z.minLength(1), z.maxLength(256)),
      amount: z.object({ amount: z.int().check(z.minimum(0)), currency: z.string().check(z.regex(/^[A-Z]{3}$/)) }),
    }),
  ),
});

export type TaskInput = z.infer<typeof TaskInputSchema>;
export type CaughtError = z.infer<typeof CaughtErrorSchema>;

/** True when Step Functions will not retry this attempt: its Retry's MaxAttempts are spent. */
export function isFinalAttempt(input: Pick<TaskInput, 'retryCount' | 'maxAttempts'>): boolean {
  return input.retryCount !== undefined && input.maxAttempts !== undefined && input.retryCount >= input.maxAttempts;
}

/** Validates a task's state input before any write; throws InvalidTaskInput naming each bad field. */
export function parseTaskInput(input: unknown): TaskInput {
  const result = TaskInputSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`);
  throw new InvalidTaskInput(`Invalid task input: ${problems.join('; ')}`);
}

export type CompensationInput = TaskInput & { error: CaughtError };

/** Like parseTaskInput, for compensation tasks that must know what failed. */
export function parseCompensationInput(input: unknown): CompensationInput {
  const parsed = parseTaskInput(input);
  if (!parsed.error) throw new InvalidTaskInput('Invalid task input: error: Required (the Catch must set ResultPath $.error)');
  return { ...parsed, error: parsed.error };
}

/** The errorType and errorMessage of a caught Lambda error; Cause is Lambda's JSON when it came from a function. */
export function describeCaughtError(caught: CaughtError): { code: string; message: string } {
  try {
    const cause: unknown = JSON.parse(caught.Cause ?? '');
    if (cause && typeof cause === 'object' && 'errorMessage' in cause && typeof cause.errorMessage === 'string') {
      return { code: caught.Error, message: cause.errorMessage };
    }
  } catch {
    // Not JSON: a States.* error whose Cause is plain text.
  }
  return { code: caught.Error, message: caught.Cause ?? caught.Error };
}

/** Log correlation keys from an unvalidated task event. */
export function taskCorrelation(event: unknown): { orderId?: string; executionId?: string } {
  if (!event || typeof event !== 'object') return {};
  const { orderId, executionId } = event as Record<string, unknown>;
  return {
    ...(typeof orderId === 'string' ? { orderId: orderId.slice(0, 64) } : {}),
    ...(typeof executionId === 'string' ? { executionId: executionId.slice(0, 2048) } : {}),
  };
}
