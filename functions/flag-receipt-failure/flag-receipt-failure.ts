import type { BusinessMetrics } from '#ports/business-metrics';
import { type StepDependencies, runCompensation } from '#tasks/run-step';
import { describeCaughtError } from '#tasks/task-input';

export interface FlagReceiptFailureDependencies extends StepDependencies {
  metrics: BusinessMetrics;
}

/**
 * A receipt failure must not undo a paid, shipped order: the order completes with its receipt
 * flagged FAILED (visible to operators, alarmed on ReceiptsFailed), and nothing is refunded.
 */
export async function flagReceiptFailure(deps: FlagReceiptFailureDependencies, rawInput: unknown): Promise<{ flagged: boolean }> {
  return runCompensation(deps, rawInput, 'Flag Receipt Failure', (input) => ({
    perform: () =>
      Promise.resolve({ result: { flagged: true }, patch: { receipt: { status: 'FAILED', error: describeCaughtError(input.error) } } }),
    recall: () => ({ flagged: true }),
    afterSuccess: () => {
      deps.metrics.receiptFailed();
      deps.metrics.orderCompleted();
    },
  }));
}
