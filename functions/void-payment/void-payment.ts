import { customerMessageFor, failedStepOf } from '#domain/failure-messages';
import type { BusinessMetrics } from '#ports/business-metrics';
import type { PaymentProvider } from '#ports/payment-provider';
import { type StepDependencies, runCompensation } from '#tasks/run-step';
import { describeCaughtError } from '#tasks/task-input';

export interface VoidPaymentDependencies extends StepDependencies {
  payments: PaymentProvider;
  metrics: BusinessMetrics;
}

/**
 * Compensation, and the last step of every failure path: releases any authorization made for
 * the order (safe when none exists) and closes the order as FAILED with the original error.
 */
export async function voidPayment(deps: VoidPaymentDependencies, rawInput: unknown): Promise<{ outcome: string }> {
  return runCompensation(deps, rawInput, 'Void Payment', (input) => {
    const cause = describeCaughtError(input.error);
    return {
      perform: async (order) => {
        const { outcome } = await deps.payments.voidAuthorization({
          idempotencyKey: input.orderId,
          ...(order.payment?.authorizationId ? { authorizationId: order.payment.authorizationId } : {}),
        });
        return {
          result: { outcome },
          patch: {
            ...(order.payment ? { payment: { ...order.payment, status: 'VOIDED' as const } } : {}),
            failure: { code: cause.code, message: customerMessageFor(cause.code), ...optionalStep(failedStepOf(order)) },
          },
        };
      },
      recall: (order) => ({ outcome: order.payment?.status === 'VOIDED' ? 'VOIDED' : 'NOTHING_TO_VOID' }),
      afterSuccess: () => {
        deps.metrics.orderFailed(cause.code);
      },
    };
  });
}

function optionalStep<T>(step: T | undefined): { step?: T } {
  return step === undefined ? {} : { step };
}
