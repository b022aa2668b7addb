import type { BusinessMetrics } from '#ports/business-metrics';
import type { ReceiptStore, StoredReceipt } from '#ports/receipt-store';
import { type StepDependencies, requireRecorded, runStep } from '#tasks/run-step';
import { parseTaskInput } from '#tasks/task-input';
import { buildReceiptJson, renderReceiptHtml } from './receipt-document';

export interface GenerateReceiptDependencies extends StepDependencies {
  receipts: ReceiptStore;
  metrics: BusinessMetrics;
}

/** Renders the HTML and JSON receipts, stores them, and completes the order. */
export async function generateReceipt(deps: GenerateReceiptDependencies, rawInput: unknown): Promise<StoredReceipt> {
  const { orderId } = parseTaskInput(rawInput);
  return runStep(deps, orderId, {
    step: 'Generate Receipt',
    perform: async (order) => {
      const receipt = buildReceiptJson(order, deps.now());
      const keys = await deps.receipts.save(orderId, renderReceiptHtml(receipt), JSON.stringify(receipt, null, 2));
      return { result: keys, patch: { receipt: { status: 'AVAILABLE', ...keys } } };
    },
    recall: (order) => ({
      htmlKey: requireRecorded(order.receipt?.htmlKey, 'receipt', orderId),
      jsonKey: requireRecorded(order.receipt?.jsonKey, 'receipt', orderId),
    }),
    afterSuccess: () => {
      deps.metrics.orderCompleted();
    },
  });
}
