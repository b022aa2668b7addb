import { sha256 } from '#domain/order-ids';
import { AddressNotServiceable, ProviderUnavailable, ShipmentCancelled } from '#ports/provider-errors';
import type { Shipment, ShippingAddress, ShippingProvider } from '#ports/shipping-provider';
import type { LedgerEntry, SimulatorLedger } from '#ports/simulator-ledger';

/** Countries the simulated carrier does not deliver to (uninhabited territories). */
export const NON_SERVICEABLE_COUNTRIES: readonly string[] = ['AQ', 'BV', 'HM'];

/** Postal codes that trigger simulated carrier outages. */
export const SHIPPING_TEST_POSTAL_CODES: Readonly<Record<string, string>> = {
  '00000': 'the carrier is always unavailable (retries run out)',
  '0000N': 'the carrier fails transiently N times (1-9), then ships',
};

/** A shipment in the simulator's ledger. `pk` is `shipment#<idempotency key>`. */
export interface ShipmentLedgerEntry extends LedgerEntry {
  status: 'CREATED' | 'CANCELLED';
  shipmentId?: string;
  carrier?: string;
  trackingNumber?: string;
  country?: string;
  parcelCount?: number;
}

/** A deterministic carrier that keeps a durable ledger and honours idempotency keys. */
export class ShippingSimulator implements ShippingProvider {
  constructor(
    private readonly ledger: SimulatorLedger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createShipment(request: { idempotencyKey: string; address: ShippingAddress; parcelCount: number }): Promise<Shipment> {
    const pk = `shipment#${request.idempotencyKey}`;
    // No read first: the conditional insert below returns the recorded entry (a shipment or a
    // cancel tombstone) when the key was used before, so a replay costs one write, not two calls.
    if (NON_SERVICEABLE_COUNTRIES.includes(request.address.country)) {
      throw new AddressNotServiceable(`The carrier does not deliver to ${request.address.country}`);
    }
    const postalCode = request.address.postalCode;
    if (postalCode === '00000') throw new ProviderUnavailable('Carrier unavailable (simulated)');
    const flaky = /^0000([1-9])$/.exec(postalCode);
    if (flaky?.[1]) {
      const failures = Number(flaky[1]);
      const attempt = await this.ledger.countAttempt(`ship#${request.idempotencyKey}`);
      if (attempt <= failures) throw new ProviderUnavailable(`Carrier unavailable (simulated, attempt ${attempt} of ${failures} failing)`);
    }

    const digest = sha256(pk);
    const now = this.now().toISOString();
    const entry: ShipmentLedgerEntry = {
      pk,
      status: 'CREATED',
      shipmentId: `shp_${digest.slice(0, 24)}`,
      carrier: request.address.country === 'US' ? 'SimPost Ground' : 'SimPost International',
      trackingNumber: `SP${BigInt(`0x${digest.slice(24, 40)}`).toString().padStart(20, '0').slice(0, 16)}`,
      country: request.address.country,
      parcelCount: request.parcelCount,
      createdAt: now,
      updatedAt: now,
    };
    return replay(await this.ledger.insert(entry));
  }

  async cancelShipment(request: { idempotencyKey: string }): Promise<{ outcome: 'CANCELLED' | 'NOTHING_TO_CANCEL'; shipmentId?: string }> {
    const pk = `shipment#${request.idempotencyKey}`;
    const now = this.now().toISOString();
    // A tombstone makes a late shipment under this key impossible.
    const entry = await this.ledger.insert<ShipmentLedgerEntry>({ pk, status: 'CANCELLED', createdAt: now, updatedAt: now });
    if (entry.status === 'CREATED') {
      const cancelled = await this.ledger.transition<ShipmentLedgerEntry>(pk, ['CREATED'], 'CANCELLED', { cancelledAt: now });
      if (!cancelled) return this.cancelShipment(request);
    }
    return entry.shipmentId ? { outcome: 'CANCELLED', shipmentId: entry.shipmentId } : { outcome: 'NOTHING_TO_CANCEL' };
  }
}

function replay(entry: ShipmentLedgerEntry): Shipment {
  if (entry.status === 'CANCELLED' || !entry.shipmentId || !entry.carrier || !entry.trackingNumber) {
    throw new ShipmentCancelled('The shipment for this key was cancelled');
  }
  return { shipmentId: entry.shipmentId, carrier: entry.carrier, trackingNumber: entry.trackingNumber };
}
