import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { paymentProviderFromEnv, stripeConnection } from '#adapters/payment-from-env';
import { StripePaymentProvider, stripeErrorToProviderError } from '#adapters/stripe-payment-provider';
import { DependencyUnavailable } from '#platform/dependency-errors';
import { IdempotencyMismatch, ProviderMisconfigured } from '#ports/provider-errors';
import { StripeIdempotencyProxy, readStripeJournal } from '../../local/payments/stripe-idempotency';
import { STRIPE_MOCK_VERSION, type StripeMock, startStripeMock } from '../../local/payments/stripe-mock';
import { ROOT } from '../support/template';

/*
 * The Stripe adapter against stripe-mock, which validates every request against Stripe's OpenAPI
 * spec (it is stateless and always approves: declines and the error mapping are unit tests).
 * stripe-mock must be installed (.ci/run does it; the message says how): without it these tests
 * fail, in CI and locally, rather than skip.
 */

let mock: StripeMock | undefined;
let stripe: Stripe;

beforeAll(async () => {
  mock = await startStripeMock(ROOT);
  stripe = new Stripe('sk_test_contract', { ...stripeConnection(mock.url), maxNetworkRetries: 0, telemetry: false });
}, 40_000);
afterAll(async () => {
  await mock?.stop();
});

const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('StripePaymentProvider against stripe-mock (requests valid per Stripe\'s OpenAPI spec)', () => {
  const provider = () => new StripePaymentProvider(() => Promise.resolve(stripe));

  it('authorizes with a test token, captures, and voids', async () => {
    const orderId = 'ord_0123456789abcdef0123456789abcdef';
    const { authorizationId } = await provider().authorize({ idempotencyKey: orderId, token: 'tok_visa', amount: usd(2599) });
    expect(authorizationId).toMatch(/^pi_/);
    const { captureId } = await provider().capture({ idempotencyKey: orderId, authorizationId, amount: usd(2599) });
    expect(captureId).toMatch(/^(ch|pi)_/);
    await expect(provider().voidAuthorization({ idempotencyKey: orderId, authorizationId })).resolves.toEqual({ outcome: 'VOIDED', authorizationId });
  });

  it('authorizes a Stripe.js card token through a PaymentMethod, in another currency', async () => {
    const { authorizationId } = await provider().authorize({ idempotencyKey: 'ord_token', token: 'tok_1PgafyB7WZ01zgkW', amount: { amount: 1250, currency: 'EUR' } });
    expect(authorizationId).toMatch(/^pi_/);
  });

  it('looks up an unrecorded authorization by order id with a valid search query', async () => {
    // stripe-mock's search fixture carries no order id, so there is nothing of ours to cancel.
    await expect(provider().voidAuthorization({ idempotencyKey: 'ord_lost' })).resolves.toEqual({ outcome: 'NOTHING_TO_VOID' });
  });

  it('would be told by Stripe that a wrong parameter is wrong (stripe-mock rejects it, mapped to ProviderMisconfigured)', async () => {
    // card is not a payment_method_data type (Stripe wants a PaymentMethod or a token for cards); the types know it too.
    const wrong = { type: 'card' } as unknown as Stripe.PaymentIntentCreateParams.PaymentMethodData;
    const error: unknown = await stripe.paymentIntents
      .create({ amount: 2599, currency: 'usd', capture_method: 'manual', confirm: true, payment_method_data: wrong })
      .then(() => undefined, (rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Error).message).toContain('payment_method_data');
    expect(stripeErrorToProviderError(error, 'authorize')).toBeInstanceOf(ProviderMisconfigured);
  });
});

describe("the local runtime's idempotency layer in front of stripe-mock (which has none)", () => {
  const through = (url: string) =>
    new StripePaymentProvider(() => Promise.resolve(new Stripe('sk_test_contract', { ...stripeConnection(url), maxNetworkRetries: 0, telemetry: false })));

  it('answers a repeated key with the first response, refuses it with other parameters, and remembers keys across a restart', async () => {
    const journal = join(mkdtempSync(join(tmpdir(), 'stripe-journal-')), 'stripe-requests.jsonl');
    const request = { idempotencyKey: 'ord_replay', token: 'tok_visa', amount: usd(2599) };
    // stripe-mock alone: a new PaymentIntent for the same key.
    const bare = through(mock?.url ?? '');
    expect((await bare.authorize(request)).authorizationId).not.toBe((await bare.authorize(request)).authorizationId);

    const first = new StripeIdempotencyProxy(mock?.url ?? '', journal);
    const firstUrl = await first.start();
    const { authorizationId } = await through(firstUrl).authorize(request);
    expect(await through(firstUrl).authorize(request)).toEqual({ authorizationId });
    await expect(through(firstUrl).authorize({ ...request, amount: usd(2600) })).rejects.toBeInstanceOf(IdempotencyMismatch);
    await first.close();

    const restarted = new StripeIdempotencyProxy(mock?.url ?? '', journal);
    const restartedUrl = await restarted.start();
    expect(await through(restartedUrl).authorize(request)).toEqual({ authorizationId });
    await restarted.close();

    const entries = readStripeJournal(journal).filter((entry) => entry.idempotencyKey === 'ord_replay:authorize');
    expect(entries.map((entry) => [entry.status, entry.replayed])).toEqual([[200, false], [200, true], [400, false], [200, true]]);
  });
});

describe('paymentProviderFromEnv with PAYMENT_PROVIDER=stripe', () => {
  const secrets = mockClient(SecretsManagerClient);
  const saved = { ...process.env };
  afterAll(() => {
    secrets.restore();
    process.env = saved;
  });

  it('reads the key from Secrets Manager (STRIPE_SECRET_ID) and reaches STRIPE_API_BASE_URL', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'order-processing/stripe' }).resolves({ SecretString: 'sk_test_fromSecretsManager' });
    Object.assign(process.env, { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_ID: 'order-processing/stripe', STRIPE_API_BASE_URL: mock?.url });
    const payments = paymentProviderFromEnv();
    const { authorizationId } = await payments.authorize({ idempotencyKey: 'ord_env', token: 'tok_mastercard', amount: usd(999) });
    expect(authorizationId).toMatch(/^pi_/);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reports a missing secret as ProviderMisconfigured and a throttled read as transient', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'order-processing/missing' }).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } }));
    process.env.STRIPE_SECRET_ID = 'order-processing/missing';
    await expect(paymentProviderFromEnv().authorize({ idempotencyKey: 'ord_nokey', token: 'tok_visa', amount: usd(999) })).rejects.toBeInstanceOf(ProviderMisconfigured);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    secrets.on(GetSecretValueCommand, { SecretId: 'order-processing/throttled' }).rejects(throttled);
    process.env.STRIPE_SECRET_ID = 'order-processing/throttled';
    await expect(paymentProviderFromEnv().capture({ idempotencyKey: 'ord_nokey', authorizationId: 'pi_1', amount: usd(999) })).rejects.toBeInstanceOf(DependencyUnavailable);
  });
});

it('installs in CI the stripe-mock version the runtime names in its install hint', () => {
  expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toContain(`STRIPE_MOCK_VERSION=${STRIPE_MOCK_VERSION}`);
});
