import type { ShippingProvider } from '#ports/shipping-provider';
import { type StepDependencies, runCompensation } from '#tasks/run-step';

export interface CancelShipmentDependencies extends StepDependencies {
  shipping: ShippingProvider;
}

/** Compensation: cancels any shipment booked for the order. Safe when none exists. */
export async function cancelShipment(deps: CancelShipmentDependencies, rawInput: unknown): Promise<{ outcome: string }> {
  return runCompensation(deps, rawInput, 'Cancel Shipment', ({ orderId }) => ({
    perform: async (order) => {
      const { outcome } = await deps.shipping.cancelShipment({ idempotencyKey: orderId });
      return { result: { outcome }, patch: order.shipment ? { shipment: { ...order.shipment, status: 'CANCELLED' } } : {} };
    },
    recall: (order) => ({ outcome: order.shipment ? 'CANCELLED' : 'NOTHING_TO_CANCEL' }),
  }));
}
