import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { StripePaymentProvider } from '#adapters/stripe-payment-provider';
import { StripeIdempotencyProxy, readStripeJournal } from '../../local/payments/stripe-idempotency';
import { type StripeMock, startStripeMock } from '../../local/payments/stripe-mock';
import { stripePaymentLedger } from '../../reliability/stripe-ledger';
import { type LocalDynamo, startDynamo } from '../support/dynalite';
import { orderRecord, orderRequest } from '../support/orders';
import { OrderWorkflowHarness } from '../support/state-machine';
import { ROOT } from '../support/template';

/*
 * The real ASL with the Stripe adapter against stripe-mock (behind the local runtime's Stripe
 * idempotency layer, which journals what Stripe did), and transient failures injected between the
 * adapter and Stripe: a response lost after Stripe acted, which is what could double-charge. The
 * invariants: one PaymentIntent and at most one capture per order, and no authorization left open
 * on a failed order. stripe-mock must be installed (.ci/run does it); without it this fails.
 */
jest.setTimeout(60_000);

let dynamo: LocalDynamo;
let mock: StripeMock | undefined;
let proxy: StripeIdempotencyProxy;
let proxyUrl: string;
let journal: string;

beforeAll(async () => {
  [dynamo, mock] = await Promise.all([startDynamo(), startStripeMock(ROOT)]);
  journal = join(mkdtempSync(join(tmpdir(), 'stripe-journal-')), 'stripe-requests.jsonl');
  proxy = new StripeIdempotencyProxy(mock.url, journal);
  proxyUrl = await proxy.start();
}, 60_000);
afterAll(async () => {
  await proxy.close();
  await mock?.stop();
  await dynamo.close();
});

/**
 * A Stripe client whose requests reach Stripe, but whose first `lose` answers on paths matching
 * `where` never come back (a dropped connection after Stripe acted): the adapter sees a connection error.
 */
function stripeLosing(where: RegExp, lose: number) {
  let lost = 0;
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const response = await fetch(`${proxyUrl}${url.pathname}${url.search}`, init);
    if (where.test(url.pathname) && lost < lose) {
      lost += 1;
      await response.arrayBuffer();
      throw new TypeError('fetch failed: connection reset after the request was sent');
    }
    return response;
  };
  const stripe = new Stripe('sk_test_statemachine', { httpClient: Stripe.createFetchHttpClient(fetchFn), maxNetworkRetries: 0, telemetry: false });
  return { provider: new StripePaymentProvider(() => Promise.resolve(stripe)), lost: () => lost };
}

/** What Stripe did for the order, from the journal: requests that reached it, not replays. */
function stripeSide(orderId: string) {
  const entries = readStripeJournal(journal).filter((entry) => entry.idempotencyKey?.startsWith(`${orderId}:`));
  const acted = entries.filter((entry) => !entry.replayed && entry.status === 200);
  return {
    created: acted.filter((entry) => entry.path === '/v1/payment_intents').length,
    captured: acted.filter((entry) => entry.path.endsWith('/capture')).length,
    cancelled: acted.filter((entry) => entry.path.endsWith('/cancel')).length,
    replayed: entries.filter((entry) => entry.replayed).length,
    ledger: stripePaymentLedger(entries).get(`payment#${orderId}`),
  };
}

async function run(lossy: ReturnType<typeof stripeLosing>, order = orderRecord()) {
  const harness = new OrderWorkflowHarness(dynamo);
  harness.payments = lossy.provider;
  return harness.run(order);
}

describe('order-processing.asl.json with the Stripe adapter against stripe-mock', () => {
  it('completes an order: one PaymentIntent, authorized then captured once, the token forgotten', async () => {
    const outcome = await run(stripeLosing(/$^/, 0));
    expect({ status: outcome.status, failure: outcome.order.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
    expect(outcome.order.payment?.authorizationId).toMatch(/^pi_/);
    expect(outcome.order).not.toHaveProperty('paymentToken');
    expect(stripeSide(outcome.order.orderId)).toMatchObject({ created: 1, captured: 1, cancelled: 0, ledger: { status: 'CAPTURED', captureCount: 1 } });
  });

  it('retries an authorization whose answer was lost twice: Stripe replays the first PaymentIntent, no second is created', async () => {
    const lossy = stripeLosing(/^\/v1\/payment_intents$/, 2);
    const outcome = await run(lossy);
    expect({ status: outcome.status, failure: outcome.order.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
    expect(lossy.lost()).toBe(2);
    expect(outcome.retries['Authorize Payment']).toBe(2);
    expect(stripeSide(outcome.order.orderId)).toMatchObject({ created: 1, captured: 1, replayed: 2 });
  });

  it('retries a capture whose answer was lost: captured once, not twice', async () => {
    const lossy = stripeLosing(/\/capture$/, 2);
    const outcome = await run(lossy);
    expect({ status: outcome.status, failure: outcome.order.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
    expect(outcome.retries['Capture Payment']).toBe(2);
    expect(stripeSide(outcome.order.orderId)).toMatchObject({ created: 1, captured: 1, replayed: 2, ledger: { captureCount: 1 } });
  });

  it('voids the authorization of an order the carrier refuses, through a lost cancel answer: no authorization left open', async () => {
    const lossy = stripeLosing(/\/cancel$/, 1);
    const outcome = await run(lossy, orderRecord(orderRequest({ shippingAddress: { ...orderRequest().shippingAddress, country: 'AQ' } })));
    expect(outcome.status).toBe('FAILED');
    expect(outcome.order.status).toBe('FAILED');
    expect(outcome.retries['Void Payment']).toBe(1);
    expect(stripeSide(outcome.order.orderId)).toMatchObject({ created: 1, captured: 0, cancelled: 1, ledger: { status: 'VOIDED' } });
    expect(outcome.order).not.toHaveProperty('paymentToken');
  });
});
