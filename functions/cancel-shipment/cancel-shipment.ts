import type { ShippingProvider } from '#ports/shipping-provider';
import { type StepDependencies, runStep } from '#tasks/run-step';
import { parseCompensationInput } from '#tasks/task-input';

export interface CancelShipmentDependencies extends StepDependencies {
  shipping: ShippingProvider;
}

/** Compensation: cancels any shipment booked for the order. Safe when none exists. */
export async function cancelShipment(deps: CancelShipmentDependencies, rawInput: unknown): Promise<{ outcome: string }> {
  const { orderId } = parseCompensationInput(rawInput);
  return runStep(deps, orderId, {
    step: 'Cancel Shipment',
    perform: async (order) => {
      const { outcome } = await deps.shipping.cancelShipment({ idempotencyKey: orderId });
      return { result: { outcome }, patch: order.shipment ? { shipment: { ...order.shipment, status: 'CANCELLED' } } : {} };
    },
    recall: (order) => ({ outcome: order.shipment ? 'CANCELLED' : 'NOTHING_TO_CANCEL' }),
  });
}
