import { DynamoDbSimulatorLedger } from '#adapters/dynamodb-simulator-ledger';
import { PaymentSimulator } from '#adapters/payment-simulator';
import { ShippingSimulator } from '#adapters/shipping-simulator';
import {
  AddressNotServiceable,
  AuthorizationVoided,
  IdempotencyMismatch,
  PaymentAlreadyCaptured,
  PaymentDeclined,
  ProviderUnavailable,
  ShipmentCancelled,
} from '#ports/provider-errors';
import type { SimulatorLedger } from '#ports/simulator-ledger';
import { type LocalDynamo, startDynamo } from '../support/dynalite';
import { MemorySimulatorLedger } from '../support/memory-stores';

let dynamo: LocalDynamo;
let dynamoLedger: DynamoDbSimulatorLedger;
let sequence = 0;
const usd = (amount: number) => ({ amount, currency: 'USD' });
const key = () => `order-${String(++sequence)}`;
const address = { name: 'Ada', line1: '1 Way', city: 'Town', postalCode: '12345', country: 'US' };

beforeAll(async () => {
  dynamo = await startDynamo();
  dynamoLedger = new DynamoDbSimulatorLedger(dynamo.documentClient, 'simulator-ledger');
});
afterAll(async () => {
  await dynamo.close();
});

// The in-memory twin runs the same cases, so the benchmark's engine-only baseline keeps the same rules.
describe.each([
  ['a DynamoDB ledger', (): SimulatorLedger => dynamoLedger],
  ['an in-memory ledger', (): SimulatorLedger => new MemorySimulatorLedger()],
])('simulators with %s', (_name, ledger) => {
let payments: PaymentSimulator;
let shipping: ShippingSimulator;
beforeAll(() => {
  const shared = ledger();
  payments = new PaymentSimulator(shared);
  shipping = new ShippingSimulator(shared);
});

describe('PaymentSimulator', () => {
  it('returns the same authorization for a repeated key and refuses a different amount under it', async () => {
    const k = key();
    const first = await payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(1000) });
    expect(await payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(1000) })).toEqual(first);
    await expect(payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(2000) })).rejects.toBeInstanceOf(IdempotencyMismatch);
  });

  it('declines the decline tokens and unknown tokens, without retry changing the answer', async () => {
    for (const token of ['tok_chargeDeclined', 'tok_insufficient_funds', 'tok_expired_card', 'tok_typo']) {
      const k = key();
      await expect(payments.authorize({ idempotencyKey: k, token, amount: usd(500) })).rejects.toBeInstanceOf(PaymentDeclined);
      await expect(payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(500) })).rejects.toBeInstanceOf(PaymentDeclined);
    }
  });

  it('fails tok_flaky_N exactly N times before approving', async () => {
    const k = key();
    for (let attempt = 1; attempt <= 3; attempt++) {
      await expect(payments.authorize({ idempotencyKey: k, token: 'tok_flaky_3', amount: usd(500) })).rejects.toBeInstanceOf(ProviderUnavailable);
    }
    await expect(payments.authorize({ idempotencyKey: k, token: 'tok_flaky_3', amount: usd(500) })).resolves.toHaveProperty('authorizationId');
  });

  it('captures once even when 10 captures race', async () => {
    const k = key();
    const { authorizationId } = await payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(4200) });
    const captures = await Promise.all(Array.from({ length: 10 }, () => payments.capture({ idempotencyKey: k, authorizationId, amount: usd(4200) })));
    expect(new Set(captures.map((capture) => capture.captureId)).size).toBe(1);
    await expect(payments.voidAuthorization({ idempotencyKey: k })).rejects.toBeInstanceOf(PaymentAlreadyCaptured);
  });

  it('refuses, in its one conditional write, a capture of another authorization, over the authorized amount, in another currency, or declined by the issuer', async () => {
    const k = key();
    const { authorizationId } = await payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(4200) });
    await expect(payments.capture({ idempotencyKey: k, authorizationId: 'auth_other', amount: usd(4200) })).rejects.toThrow('No authorization auth_other');
    await expect(payments.capture({ idempotencyKey: k, authorizationId, amount: usd(4201) })).rejects.toThrow('exceeds the authorized amount');
    await expect(payments.capture({ idempotencyKey: k, authorizationId, amount: { amount: 4200, currency: 'EUR' } })).rejects.toThrow('exceeds the authorized amount');
    // A smaller capture is allowed; the refused ones left the authorization open for it.
    await expect(payments.capture({ idempotencyKey: k, authorizationId, amount: usd(4000) })).resolves.toHaveProperty('captureId');
    const declined = key();
    const declinedAuth = await payments.authorize({ idempotencyKey: declined, token: 'tok_capture_declined', amount: usd(100) });
    await expect(payments.capture({ idempotencyKey: declined, authorizationId: declinedAuth.authorizationId, amount: usd(100) })).rejects.toThrow('declined by the issuer');
    await expect(payments.voidAuthorization({ idempotencyKey: declined })).resolves.toMatchObject({ outcome: 'VOIDED' });
  });

  it('leaves a tombstone on void, so a late authorization under the key is refused', async () => {
    const k = key();
    expect(await payments.voidAuthorization({ idempotencyKey: k })).toEqual({ outcome: 'NOTHING_TO_VOID' });
    await expect(payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(100) })).rejects.toBeInstanceOf(AuthorizationVoided);
  });

  it('voids an authorization idempotently', async () => {
    const k = key();
    const { authorizationId } = await payments.authorize({ idempotencyKey: k, token: 'tok_visa', amount: usd(100) });
    expect(await payments.voidAuthorization({ idempotencyKey: k })).toEqual({ outcome: 'VOIDED', authorizationId });
    expect(await payments.voidAuthorization({ idempotencyKey: k })).toEqual({ outcome: 'VOIDED', authorizationId });
  });
});

describe('ShippingSimulator', () => {
  it('creates one shipment per key with a carrier and tracking number', async () => {
    const k = key();
    const shipment = await shipping.createShipment({ idempotencyKey: k, address, parcelCount: 1 });
    expect(shipment).toMatchObject({ carrier: 'SimPost Ground', trackingNumber: expect.stringMatching(/^SP\d{16}$/) as string });
    expect(await shipping.createShipment({ idempotencyKey: k, address, parcelCount: 1 })).toEqual(shipment);
  });

  it('refuses non-serviceable countries permanently', async () => {
    await expect(shipping.createShipment({ idempotencyKey: key(), address: { ...address, country: 'AQ' }, parcelCount: 1 })).rejects.toBeInstanceOf(
      AddressNotServiceable,
    );
  });

  it('cancels idempotently and refuses a late shipment after a cancel', async () => {
    const k = key();
    await shipping.createShipment({ idempotencyKey: k, address, parcelCount: 1 });
    expect((await shipping.cancelShipment({ idempotencyKey: k })).outcome).toBe('CANCELLED');
    expect((await shipping.cancelShipment({ idempotencyKey: k })).outcome).toBe('CANCELLED');
    await expect(shipping.createShipment({ idempotencyKey: k, address, parcelCount: 1 })).rejects.toBeInstanceOf(ShipmentCancelled);
    const fresh = key();
    expect(await shipping.cancelShipment({ idempotencyKey: fresh })).toEqual({ outcome: 'NOTHING_TO_CANCEL' });
    await expect(shipping.createShipment({ idempotencyKey: fresh, address, parcelCount: 1 })).rejects.toBeInstanceOf(ShipmentCancelled);
  });
});
});
