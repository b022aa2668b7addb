import { COMPENSATION_STEPS, type OrderRecord, isTerminal } from '#domain/order';
import type { ExecutionState } from '#ports/order-workflow';

/** Why an order may be retried: the two ends of the saga that need an operator. */
export type RetryReason = 'COMPENSATION_FAILED' | 'RECEIPT_FAILED';

/**
 * Both are executions stopped at a Task that failed for good, which a redrive reruns.
 * Compensation Failed: a compensation Task raised CompensationFailed, with the order left
 * CANCELLING and the step recorded FAILED. Receipt Failed: Generate Receipt raised
 * ReceiptGenerationFailed, with the order COMPLETED and its receipt FAILED. An open order whose
 * execution FAILED is one of the two when the step could not be recorded: the final attempt never
 * ran its handler (Sandbox.Timedout, Runtime.ExitError…) or could not write the order (a table
 * outage). Authorize, ship and capture catch every error, so the order was at Generate Receipt if
 * it is PAYMENT_CAPTURED, and in a compensation otherwise. Any other order is not retried (409).
 */
export function retryReason(order: OrderRecord, execution?: ExecutionState): RetryReason | undefined {
  if (order.status === 'COMPLETED' && order.receipt?.status === 'FAILED') return 'RECEIPT_FAILED';
  if (isTerminal(order.status)) return undefined;
  if (COMPENSATION_STEPS.some((step) => order.steps[step].status === 'FAILED')) return 'COMPENSATION_FAILED';
  if (execution?.status !== 'FAILED') return undefined;
  return order.status === 'PAYMENT_CAPTURED' ? 'RECEIPT_FAILED' : 'COMPENSATION_FAILED';
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
  if (!execution) return { action: 'refuse', message: `Order ${order.orderId} has no execution to redrive` };
  if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') {
    return { action: 'refuse', message: `The execution of order ${order.orderId} is ${execution.status}; only a failed execution is redriven` };
  }
  return { action: 'redrive', reason };
}
