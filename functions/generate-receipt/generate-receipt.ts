import type { BusinessMetrics } from '#ports/business-metrics';
import type { ReceiptStore, StoredReceipt } from '#ports/receipt-store';
import { type StepDependencies, requireRecorded, runFinalStep } from '#tasks/run-step';
import { buildReceiptJson } from '#domain/receipt';
import { renderReceiptHtml } from './receipt-document';

export interface GenerateReceiptDependencies extends StepDependencies {
  receipts: ReceiptStore;
  metrics: BusinessMetrics;
}

/**
 * Renders the HTML receipt, stores it (one S3 PUT; GET /orders/{id}/receipt renders the JSON form
 * from the order and the recorded issuedAt), and completes the order. A receipt failure does
 * not undo a paid, shipped order: its final failure completes the order with the receipt FAILED
 * (alarmed on ReceiptsFailed), and the execution stops here with ReceiptGenerationFailed so that a
 * redrive makes the receipt once the fault is gone.
 */
export async function generateReceipt(deps: GenerateReceiptDependencies, rawInput: unknown): Promise<StoredReceipt> {
  return runFinalStep(deps, rawInput, 'Generate Receipt', ({ orderId }) => ({
    perform: async (order) => {
      const receipt = buildReceiptJson(order, deps.now());
      const stored = await deps.receipts.save(orderId, renderReceiptHtml(receipt));
      return { result: stored, patch: { receipt: { status: 'AVAILABLE', ...stored, issuedAt: receipt.issuedAt } } };
    },
    recall: (order) => ({ htmlKey: requireRecorded(order.receipt?.htmlKey, 'receipt', orderId) }),
    afterSuccess: (from) => {
      // A redriven receipt completes an order that was counted completed when its receipt failed.
      if (from !== 'COMPLETED') deps.metrics.orderCompleted();
    },
    settlesOnFinalFailure: {
      patch: (error) => ({ receipt: { status: 'FAILED', error } }),
      afterSettled: (from) => {
        deps.metrics.receiptFailed();
        // A redrive that fails again completes nothing new.
        if (from !== 'COMPLETED') deps.metrics.orderCompleted();
      },
    },
  }));
}
