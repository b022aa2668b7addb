import type { PaymentProvider } from '#ports/payment-provider';
import { type StepDependencies, requireRecorded, runStep } from '#tasks/run-step';
import { parseTaskInput } from '#tasks/task-input';

export interface CapturePaymentDependencies extends StepDependencies {
  payments: PaymentProvider;
}

/** Captures the authorized total once the goods have shipped. The provider key makes a retry never charge twice. */
export async function capturePayment(deps: CapturePaymentDependencies, rawInput: unknown): Promise<{ captureId: string }> {
  const { orderId } = parseTaskInput(rawInput);
  return runStep(deps, orderId, {
    step: 'Capture Payment',
    perform: async (order) => {
      const payment = requireRecorded(order.payment, 'payment', orderId);
      const authorizationId = requireRecorded(payment.authorizationId, 'authorization', orderId);
      const { captureId } = await deps.payments.capture({ idempotencyKey: orderId, authorizationId, amount: order.totals.total });
      return { result: { captureId }, patch: { payment: { ...payment, captureId, status: 'CAPTURED' } } };
    },
    recall: (order) => ({ captureId: requireRecorded(order.payment?.captureId, 'capture', orderId) }),
  });
}
