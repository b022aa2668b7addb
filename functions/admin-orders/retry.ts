import { COMPENSATION_STEPS, type OrderRecord, isTerminal } from '#domain/order';
import type { ExecutionState } from '#ports/order-workflow';

/** Why an order may be retried: the two ends of the saga that need an operator. */
export type RetryReason = 'COMPENSATION_FAILED' | 'RECEIPT_FAILED';

/**
 * Compensation Failed: a compensation Task failed for good (CompensationFailed) and the execution
 * stopped there, with the order left open (CANCELLING, or PAYMENT_CAPTURED when Flag Receipt Failure
 * failed) and the step recorded FAILED. An open order whose execution FAILED is the same case when
 * the step could not be recorded: the final attempt never ran its handler (Sandbox.Timedout,
 * Runtime.ExitError…) or could not write the order (a table outage). Forward Tasks catch every
 * error, so only a compensation stops an execution with the order still open. Receipt Failed: the
 * order COMPLETED without its receipt. Any other order is not retried (409).
 */
export function retryReason(order: OrderRecord, execution?: ExecutionState): RetryReason | undefined {
  if (!isTerminal(order.status) && COMPENSATION_STEPS.some((step) => order.steps[step].status === 'FAILED')) return 'COMPENSATION_FAILED';
  if (!isTerminal(order.status) && execution?.status === 'FAILED') return 'COMPENSATION_FAILED';
  if (order.status === 'COMPLETED' && order.receipt?.status === 'FAILED') return 'RECEIPT_FAILED';
  return undefined;
}

export type RetryDecision =
  | { action: 'redrive'; reason: RetryReason }
  /** A redrive already runs: answering it again keeps retry idempotent. */
  | { action: 'alreadyRedriven'; reason: RetryReason | undefined }
  | { action: 'refuse'; message: string };

/** What POST /admin/orders/{id}/retry does, from the order and its execution. */
export function decideRetry(order: OrderRecord, execution: ExecutionState | undefined): RetryDecision {
  const reason = retryReason(order, execution);
  if (execution?.status === 'RUNNING' && execution.redriveCount > 0) return { action: 'alreadyRedriven', reason };
  if (!reason) return { action: 'refuse', message: `Order ${order.orderId} is ${order.status} and not in Compensation Failed or Receipt Failed; only those are retried` };
  // The execution of a Receipt Failed order ends in the Fail state of that name, and a redrive
  // re-enters the failed state: it would fail again at once. Refused until Generate Receipt itself
  // is where such an execution stops (docs/iam-auth.md).
  if (reason === 'RECEIPT_FAILED') {
    return { action: 'refuse', message: `Order ${order.orderId} is in Receipt Failed, which a redrive cannot repair yet: its execution ends in the Receipt Failed state, which a redrive re-enters` };
  }
  if (!execution) return { action: 'refuse', message: `Order ${order.orderId} has no execution to redrive` };
  if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') {
    return { action: 'refuse', message: `The execution of order ${order.orderId} is ${execution.status}; only a failed execution is redriven` };
  }
  return { action: 'redrive', reason };
}
