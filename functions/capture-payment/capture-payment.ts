import type { PaymentProvider } from '#ports/payment-provider';
import { type StepDependencies, requireRecorded, runStep, runStepFromState } from '#tasks/run-step';
import { parseTaskInput } from '#tasks/task-input';

export interface CapturePaymentDependencies extends StepDependencies {
  payments: PaymentProvider;
}

/**
 * Captures the authorized total once the goods have shipped. The provider key makes a retry never
 * charge twice. The authorization and its amount come from the execution's state (`$.payment`), so
 * the step writes the order once and reads it not at all; an execution whose state lacks them
 * (started before the state carried them) reads them from the order.
 */
export async function capturePayment(deps: CapturePaymentDependencies, rawInput: unknown): Promise<{ captureId: string }> {
  const { orderId, payment } = parseTaskInput(rawInput);
  const capture = async (authorizationId: string, amount: NonNullable<typeof payment>['amount']) => {
    const { captureId } = await deps.payments.capture({ idempotencyKey: orderId, authorizationId, amount });
    return { result: { captureId }, patch: { payment: { authorizationId, amount, captureId, status: 'CAPTURED' as const } } };
  };
  if (payment) {
    return runStepFromState(deps, orderId, { step: 'Capture Payment', perform: () => capture(payment.authorizationId, payment.amount) });
  }
  return runStep(deps, orderId, {
    step: 'Capture Payment',
    perform: (order) => capture(requireRecorded(order.payment?.authorizationId, 'authorization', orderId), order.totals.total),
    recall: (order) => ({ captureId: requireRecorded(order.payment?.captureId, 'capture', orderId) }),
  });
}
