import type { Money } from '#domain/money';
import { customerMessageFor } from '#domain/failure-messages';
import type { BusinessMetrics } from '#ports/business-metrics';
import type { PaymentProvider } from '#ports/payment-provider';
import { PaymentDeclined } from '#ports/provider-errors';
import { type StepDependencies, requireRecorded, runStep } from '#tasks/run-step';
import { parseTaskInput } from '#tasks/task-input';

export interface AuthorizePaymentDependencies extends StepDependencies {
  payments: PaymentProvider;
  metrics: BusinessMetrics;
}

/**
 * Authorizes the order total. A decline fails the order here (nothing to compensate); any
 * other failure is left to the state machine's Retry and Catch.
 */
export async function authorizePayment(deps: AuthorizePaymentDependencies, rawInput: unknown): Promise<{ authorizationId: string; amount: Money }> {
  const { orderId } = parseTaskInput(rawInput);
  try {
    return await runStep(deps, orderId, {
      step: 'Authorize Payment',
      perform: async (order) => {
        const amount = order.totals.total;
        // The token is removed when this step's success is recorded; a repeat finds the step done first (recall).
        const token = requireRecorded(order.paymentToken, 'payment token', orderId);
        const { authorizationId } = await deps.payments.authorize({ idempotencyKey: orderId, token, amount });
        // The authorization and its amount go on in the execution's state, for Capture Payment.
        return { result: { authorizationId, amount }, patch: { payment: { authorizationId, status: 'AUTHORIZED', amount } } };
      },
      recall: (order) => ({
        authorizationId: requireRecorded(order.payment?.authorizationId, 'authorization', orderId),
        amount: requireRecorded(order.payment?.amount, 'authorized amount', orderId),
      }),
      failsOrder: (error) => (error instanceof PaymentDeclined ? { message: customerMessageFor(error.name) } : undefined),
    });
  } catch (error) {
    if (error instanceof PaymentDeclined) {
      deps.metrics.paymentDeclined();
      deps.metrics.orderFailed(error.name);
    }
    throw error;
  }
}
