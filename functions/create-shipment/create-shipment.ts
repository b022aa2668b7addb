import type { Shipment, ShippingProvider } from '#ports/shipping-provider';
import { type StepDependencies, requireRecorded, runStep } from '#tasks/run-step';
import { parseTaskInput } from '#tasks/task-input';

export interface CreateShipmentDependencies extends StepDependencies {
  shipping: ShippingProvider;
}

/** Books the shipment with the carrier. AddressNotServiceable is permanent; outages are retried. */
export async function createShipment(deps: CreateShipmentDependencies, rawInput: unknown): Promise<Shipment> {
  const { orderId } = parseTaskInput(rawInput);
  return runStep(deps, orderId, {
    step: 'Create Shipment',
    perform: async (order) => {
      const shipment = await deps.shipping.createShipment({ idempotencyKey: orderId, address: order.shippingAddress, parcelCount: 1 });
      return { result: shipment, patch: { shipment: { ...shipment, status: 'CREATED' } } };
    },
    recall: (order) => {
      const shipment = requireRecorded(order.shipment, 'shipment', orderId);
      return {
        shipmentId: requireRecorded(shipment.shipmentId, 'shipment id', orderId),
        carrier: requireRecorded(shipment.carrier, 'carrier', orderId),
        trackingNumber: requireRecorded(shipment.trackingNumber, 'tracking number', orderId),
      };
    },
  });
}
