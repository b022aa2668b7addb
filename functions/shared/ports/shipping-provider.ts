import type { OrderRequest } from '#domain/order-request';

export type ShippingAddress = OrderRequest['shippingAddress'];

/** A created shipment. */
export interface Shipment {
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
}

/**
 * Port for a carrier or shipping aggregator. Calls are idempotent by key.
 * Errors: AddressNotServiceable, ShipmentCancelled (permanent), ProviderUnavailable (transient).
 */
export interface ShippingProvider {
  createShipment(request: { idempotencyKey: string; address: ShippingAddress; parcelCount: number }): Promise<Shipment>;
  /** Cancels any shipment made under the key; afterwards the key can never create one. */
  cancelShipment(request: { idempotencyKey: string }): Promise<{ outcome: 'CANCELLED' | 'NOTHING_TO_CANCEL'; shipmentId?: string }>;
}
