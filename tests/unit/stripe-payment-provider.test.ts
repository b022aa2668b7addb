import { stripeErrorToProviderError } from '#adapters/stripe-payment-provider';
import {
  CaptureDeclined,
  IdempotencyMismatch,
  PaymentAlreadyCaptured,
  PaymentDeclined,
  ProviderMisconfigured,
  ProviderUnavailable,
} from '#ports/provider-errors';
import Stripe from 'stripe';
import { stripeAnswering } from '../support/stripe';

/*
 * The error payloads are Stripe's documented ones (docs.stripe.com/error-codes, /declines/codes,
 * /api/errors), turned into errors by the SDK's own factory, as the client does with a response.
 */
const fromResponse = (statusCode: number, body: Record<string, unknown>) => Stripe.errors.StripeError.generate({ statusCode, ...body });

const cardDeclined = fromResponse(402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' });
const insufficientFunds = fromResponse(402, { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
const expiredCard = fromResponse(402, { type: 'card_error', code: 'expired_card', param: 'exp_month', message: 'Your card has expired.' });
const processingError = fromResponse(402, { type: 'card_error', code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' });
const rateLimited = fromResponse(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' });
const apiError = fromResponse(500, { type: 'api_error', message: 'Sorry, something went wrong.' });
const badGateway = fromResponse(502, { type: 'api_error', message: 'Bad gateway' });
const connectionError = new Stripe.errors.StripeConnectionError({ message: 'An error occurred with our connection to Stripe. Request was retried 1 times.' });
const keyInUse = fromResponse(409, { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'There is currently another in-progress request using this Stripe-Idempotency-Key.' });
const badKey = fromResponse(401, { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****1234' });
const forbidden = fromResponse(403, { type: 'invalid_request_error', message: 'The provided key does not have access to payment_intents.' });
const idempotencyError = fromResponse(400, { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.' });
const expiredForCapture = fromResponse(400, { type: 'invalid_request_error', code: 'charge_expired_for_capture', message: 'This charge has expired and can no longer be captured.' });
const unknownParameter = fromResponse(400, { type: 'invalid_request_error', code: 'parameter_unknown', param: 'capture_mode', message: 'Received unknown parameter: capture_mode' });
const noSuchPaymentMethod = fromResponse(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: "No such PaymentMethod: 'pm_nope'" });
const unexpectedState = (status: Stripe.PaymentIntent.Status) =>
  fromResponse(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message: `This PaymentIntent's status is ${status}.`,
    payment_intent: { id: 'pi_1', object: 'payment_intent', status },
  });

describe('Stripe errors mapped onto the saga error names', () => {
  it.each([
    ['card_declined (generic_decline)', cardDeclined, 'generic_decline'],
    ['card_declined (insufficient_funds)', insufficientFunds, 'insufficient_funds'],
    ['expired_card', expiredCard, 'expired_card'],
    ['an unknown PaymentMethod or token', noSuchPaymentMethod, 'invalid_token'],
  ])('declines the payment at authorization for %s', (_case, error, declineCode) => {
    const mapped = stripeErrorToProviderError(error, 'authorize');
    expect(mapped).toBeInstanceOf(PaymentDeclined);
    expect((mapped as PaymentDeclined).declineCode).toBe(declineCode);
  });

  it.each([
    ['rate_limit (429)', rateLimited],
    ['api_error (500)', apiError],
    ['a 502', badGateway],
    ['api_connection_error', connectionError],
    ['idempotency_key_in_use (409)', keyInUse],
    ['a processing_error card error', processingError],
  ])('retries %s as ProviderUnavailable on every operation', (_case, error) => {
    for (const operation of ['authorize', 'capture', 'void'] as const) {
      expect(stripeErrorToProviderError(error, operation)).toBeInstanceOf(ProviderUnavailable);
    }
  });

  it.each([
    ['an invalid API key (401)', badKey],
    ['a restricted key without access (403)', forbidden],
    ['a parameter Stripe does not know', unknownParameter],
  ])('reports %s as ProviderMisconfigured (permanent, never retried)', (_case, error) => {
    for (const operation of ['authorize', 'capture', 'void'] as const) {
      expect(stripeErrorToProviderError(error, operation)).toBeInstanceOf(ProviderMisconfigured);
    }
  });

  it('maps idempotency_error to IdempotencyMismatch', () => {
    expect(stripeErrorToProviderError(idempotencyError, 'authorize')).toBeInstanceOf(IdempotencyMismatch);
  });

  it('declines the capture of an expired or no longer capturable authorization', () => {
    expect(stripeErrorToProviderError(expiredForCapture, 'capture')).toBeInstanceOf(CaptureDeclined);
    expect(stripeErrorToProviderError(unexpectedState('canceled'), 'capture')).toBeInstanceOf(CaptureDeclined);
    expect(stripeErrorToProviderError(cardDeclined, 'capture')).toBeInstanceOf(CaptureDeclined);
  });

  it('leaves errors that are not Stripe errors alone', () => {
    const error = new TypeError('boom');
    expect(stripeErrorToProviderError(error, 'authorize')).toBe(error);
  });

  it('never puts a secret key into the mapped message, even when the error echoes it (stripe-mock does)', () => {
    const echoed = fromResponse(401, { type: 'invalid_request_error', message: "Authorization was 'Bearer sk_live_51AbCdEfGh123456'. Also rk_test_Zz9." });
    const mapped = stripeErrorToProviderError(echoed, 'authorize') as Error;
    expect(mapped).toBeInstanceOf(ProviderMisconfigured);
    expect(mapped.message).toContain("'Bearer sk_live_****'");
    expect(mapped.message).not.toMatch(/[spr]k_(test|live)_[A-Za-z0-9]/);
    expect(mapped.cause).toBeUndefined();
  });
});

const intent = (fields: Partial<Stripe.PaymentIntent>) => ({ status: 200, body: { id: 'pi_1', object: 'payment_intent', amount: 2599, currency: 'usd', status: 'requires_capture', metadata: {}, latest_charge: null, ...fields } });
const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('StripePaymentProvider (HTTP answered in process)', () => {
  it('authorizes with a manual-capture PaymentIntent, the test token as pm_card_*, and an <orderId>:authorize key', async () => {
    const { provider, calls } = stripeAnswering(() => intent({}));
    await expect(provider.authorize({ idempotencyKey: 'ord_1', token: 'tok_visa', amount: usd(2599) })).resolves.toEqual({ authorizationId: 'pi_1' });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.path).toBe('/v1/payment_intents');
    expect(call?.idempotencyKey).toBe('ord_1:authorize');
    expect(Object.fromEntries(call?.body ?? [])).toMatchObject({
      amount: '2599',
      currency: 'usd',
      capture_method: 'manual',
      confirm: 'true',
      payment_method: 'pm_card_visa',
      'metadata[order_id]': 'ord_1',
    });
  });

  it('turns a Stripe.js card token into a PaymentMethod first, under its own key', async () => {
    const { provider, calls } = stripeAnswering((path) => (path === '/v1/payment_methods' ? { status: 200, body: { id: 'pm_fromtoken', object: 'payment_method' } } : intent({})));
    await provider.authorize({ idempotencyKey: 'ord_1', token: 'tok_1Abc', amount: usd(2599) });
    expect(calls.map((call) => [call.path, call.idempotencyKey])).toEqual([
      ['/v1/payment_methods', 'ord_1:payment-method'],
      ['/v1/payment_intents', 'ord_1:authorize'],
    ]);
    expect(calls[0]?.body.get('card[token]')).toBe('tok_1Abc');
    expect(calls[1]?.body.get('payment_method')).toBe('pm_fromtoken');
  });

  it('refuses an authorization whose amount or currency differs from the order', async () => {
    const wrongAmount = stripeAnswering(() => intent({ amount: 2500 }));
    await expect(wrongAmount.provider.authorize({ idempotencyKey: 'ord_1', token: 'tok_visa', amount: usd(2599) })).rejects.toBeInstanceOf(IdempotencyMismatch);
    const wrongCurrency = stripeAnswering(() => intent({ currency: 'eur' }));
    await expect(wrongCurrency.provider.authorize({ idempotencyKey: 'ord_1', token: 'tok_visa', amount: usd(2599) })).rejects.toBeInstanceOf(IdempotencyMismatch);
  });

  it('declines an authorization that needs customer authentication (3-D Secure)', async () => {
    const { provider } = stripeAnswering(() => intent({ status: 'requires_action' }));
    await expect(provider.authorize({ idempotencyKey: 'ord_1', token: 'tok_visa', amount: usd(2599) })).rejects.toEqual(new PaymentDeclined('authentication_required'));
  });

  it('maps a declined confirmation, as Stripe answers it over HTTP, to PaymentDeclined', async () => {
    const { provider } = stripeAnswering(() => ({ status: 402, body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } } }));
    await expect(provider.authorize({ idempotencyKey: 'ord_1', token: 'tok_insufficient_funds', amount: usd(2599) })).rejects.toEqual(new PaymentDeclined('insufficient_funds'));
  });

  it('captures the authorized amount under <orderId>:capture and returns the charge id', async () => {
    const { provider, calls } = stripeAnswering(() => intent({ status: 'succeeded', latest_charge: 'ch_1' }));
    await expect(provider.capture({ idempotencyKey: 'ord_1', authorizationId: 'pi_1', amount: usd(2599) })).resolves.toEqual({ captureId: 'ch_1' });
    expect(calls[0]?.path).toBe('/v1/payment_intents/pi_1/capture');
    expect(calls[0]?.idempotencyKey).toBe('ord_1:capture');
    expect(calls[0]?.body.get('amount_to_capture')).toBe('2599');
  });

  it('voids the recorded authorization under <orderId>:void', async () => {
    const { provider, calls } = stripeAnswering(() => intent({ status: 'canceled' }));
    await expect(provider.voidAuthorization({ idempotencyKey: 'ord_1', authorizationId: 'pi_1' })).resolves.toEqual({ outcome: 'VOIDED', authorizationId: 'pi_1' });
    expect(calls.map((call) => [call.path, call.idempotencyKey])).toEqual([['/v1/payment_intents/pi_1/cancel', 'ord_1:void']]);
  });

  it('looks the authorization up by order id when none was recorded, and voids nothing when there is none', async () => {
    const found = stripeAnswering((path) =>
      path === '/v1/payment_intents/search'
        ? { status: 200, body: { object: 'search_result', data: [intent({ id: 'pi_lost', metadata: { order_id: 'ord_1' } }).body], has_more: false } }
        : intent({ id: 'pi_lost', status: 'canceled' }),
    );
    await expect(found.provider.voidAuthorization({ idempotencyKey: 'ord_1' })).resolves.toEqual({ outcome: 'VOIDED', authorizationId: 'pi_lost' });
    expect(new URL(`https://x${found.calls[0]?.path ?? ''}`).searchParams.get('query')).toBe("metadata['order_id']:'ord_1'");
    expect(found.calls[1]?.path).toBe('/v1/payment_intents/pi_lost/cancel');

    const none = stripeAnswering(() => ({ status: 200, body: { object: 'search_result', data: [], has_more: false } }));
    await expect(none.provider.voidAuthorization({ idempotencyKey: 'ord_1' })).resolves.toEqual({ outcome: 'NOTHING_TO_VOID' });
  });

  it('treats a void of an already cancelled intent as done, and of a captured one as PaymentAlreadyCaptured', async () => {
    const canceled = stripeAnswering(() => ({ status: 400, body: { error: unexpectedState('canceled').raw } }));
    await expect(canceled.provider.voidAuthorization({ idempotencyKey: 'ord_1', authorizationId: 'pi_1' })).resolves.toMatchObject({ outcome: 'VOIDED' });
    const captured = stripeAnswering(() => ({ status: 400, body: { error: unexpectedState('succeeded').raw } }));
    await expect(captured.provider.voidAuthorization({ idempotencyKey: 'ord_1', authorizationId: 'pi_1' })).rejects.toBeInstanceOf(PaymentAlreadyCaptured);
  });
});
