/**
 * Named errors. Step Functions matches `ErrorEquals` against the Lambda `errorType`,
 * which is the error's `name`, so every class sets it explicitly.
 */

/** A failure that will not go away on retry. */
export abstract class PermanentError extends Error {}

/** A failure worth retrying (provider outage, throttling). */
export abstract class TransientError extends Error {}

/** The state input a task received does not match its contract. */
export class InvalidTaskInput extends PermanentError {
  override name = 'InvalidTaskInput';
}

/** The order the task was asked to work on does not exist. */
export class OrderNotFound extends PermanentError {
  override name = 'OrderNotFound';
}

/** The order is in a status that does not allow this step (a late or duplicate invocation). */
export class OrderStateConflict extends PermanentError {
  override name = 'OrderStateConflict';
}

/**
 * A compensation failed for good: its retries are spent, or its error is permanent. The ASL neither
 * retries nor catches it, so the execution fails at the compensation's Task and a redrive reruns it.
 */
export class CompensationFailed extends PermanentError {
  override name = 'CompensationFailed';
}

/**
 * Generate Receipt failed for good. The order has already completed with its receipt recorded
 * FAILED (it is paid and shipped, so nothing is undone); the ASL neither retries nor catches this,
 * so the execution fails at Generate Receipt, operators are alerted, and a redrive reruns the step.
 */
export class ReceiptGenerationFailed extends PermanentError {
  override name = 'ReceiptGenerationFailed';
}

/** Serialises an error the way the Lambda runtime reports it, for logs and stored failures. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
