import type { BusinessMetrics } from '#ports/business-metrics';
import { type StepDependencies, runStep } from '#tasks/run-step';
import { describeCaughtError, parseCompensationInput } from '#tasks/task-input';

export interface FlagReceiptFailureDependencies extends StepDependencies {
  metrics: BusinessMetrics;
}

/**
 * A receipt failure must not undo a paid, shipped order: the order completes with its receipt
 * flagged FAILED (visible to operators, alarmed on ReceiptsFailed), and nothing is refunded.
 */
export async function flagReceiptFailure(deps: FlagReceiptFailureDependencies, rawInput: unknown): Promise<{ flagged: boolean }> {
  const input = parseCompensationInput(rawInput);
  return runStep(deps, input.orderId, {
    step: 'Flag Receipt Failure',
    perform: () =>
      Promise.resolve({ result: { flagged: true }, patch: { receipt: { status: 'FAILED', error: describeCaughtError(input.error) } } }),
    recall: () => ({ flagged: true }),
    afterSuccess: () => {
      deps.metrics.receiptFailed();
      deps.metrics.orderCompleted();
    },
  });
}
