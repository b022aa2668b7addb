import type { Money } from '#domain/money';
import type { PaymentProvider } from '#ports/payment-provider';
import {
  AuthorizationVoided,
  CaptureDeclined,
  IdempotencyMismatch,
  PaymentAlreadyCaptured,
  PaymentDeclined,
  ProviderMisconfigured,
  ProviderUnavailable,
} from '#ports/provider-errors';
import Stripe from 'stripe';

/*
 * The payment port on Stripe PaymentIntents with `capture_method: manual`: authorize = create and
 * confirm, capture = capture, void = cancel. Docs: docs/payments-stripe.md.
 *
 * Every call carries a Stripe idempotency key derived from the order and the step
 * (`<orderId>:authorize`, `:capture`, `:void`, `:payment-method`). A retried step replays its key,
 * and Stripe answers a replay with the first response (for 24 hours), so a retry never authorizes
 * or captures twice; after that, the step's own record in the orders table (runStep) answers
 * repeats without calling Stripe at all.
 *
 * `idempotency_error` (StripeIdempotencyError): Stripe saw the key before with different
 * parameters. The keys are per order and the order's total and token never change, so this means
 * a bug or a key collision across environments sharing one Stripe account. Retrying cannot help
 * and the first request's outcome is unknown to us, so it maps to IdempotencyMismatch (permanent):
 * Authorize Payment's catch-all runs Void Payment, which looks the authorization up and cancels it.
 * A concurrent request still holding the key (HTTP 409 `idempotency_key_in_use`) is different:
 * it is transient, and the retry gets the first request's answer.
 */

/** The slice of the Stripe client this adapter uses (the real client satisfies it; tests pass one in). */
export type StripeClient = Pick<Stripe, 'paymentIntents' | 'paymentMethods'>;

type Operation = 'authorize' | 'capture' | 'void';

/**
 * The simulator's test tokens (payment-test-tokens.ts) as Stripe's test PaymentMethods, so the
 * storefront and fixtures keep working in Stripe test mode. Simulator-only behaviours
 * (tok_flaky_N, tok_unavailable, tok_capture_declined) have no Stripe twin: they are sent as
 * tokens, and real Stripe declines them as unknown (invalid_token), as the simulator does.
 */
export const STRIPE_TEST_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  tok_visa: 'pm_card_visa',
  tok_mastercard: 'pm_card_mastercard',
  tok_amex: 'pm_card_amex',
  tok_chargeDeclined: 'pm_card_chargeDeclined',
  tok_insufficient_funds: 'pm_card_chargeDeclinedInsufficientFunds',
  tok_expired_card: 'pm_card_chargeDeclinedExpiredCard',
};

/** Stripe masks keys in its own messages, but an echo (a proxy, stripe-mock) may not: never let one reach a log. */
function redactKeys(text: string): string {
  return text.replace(/\b([spr]k_(?:test|live)_)[A-Za-z0-9]+/g, '$1****');
}

/** Card-error codes Stripe documents as worth retrying; every other card error is a decline. */
const RETRYABLE_CARD_CODES = new Set(['processing_error']);
/** Request errors that mean "try again shortly", not "the request is wrong". */
const TRANSIENT_REQUEST_CODES = new Set(['idempotency_key_in_use', 'lock_timeout', 'rate_limit']);
/** Request errors at authorization that are the customer's payment details, not our request. */
const DECLINING_REQUEST_CODES = new Set([
  'amount_too_small',
  'amount_too_large',
  'payment_intent_authentication_failure',
  'payment_method_unactivated',
  'token_already_used',
  'card_decline_rate_limit_exceeded',
]);
/** Request errors at capture that mean the authorization can no longer be captured. */
const CAPTURE_REFUSED_CODES = new Set(['charge_expired_for_capture', 'payment_intent_unexpected_state', 'amount_too_large', 'resource_missing']);

/** A Stripe-backed PaymentProvider. `client` is called per request so a rotated secret key is picked up. */
export class StripePaymentProvider implements PaymentProvider {
  constructor(private readonly client: () => Promise<StripeClient>) {}

  async authorize(request: { idempotencyKey: string; token: string; amount: Money }): Promise<{ authorizationId: string }> {
    const stripe = await this.client();
    let intent: Stripe.PaymentIntent;
    try {
      const paymentMethod = await paymentMethodFor(stripe, request.token, request.idempotencyKey);
      intent = await stripe.paymentIntents.create(
        {
          amount: request.amount.amount,
          currency: request.amount.currency.toLowerCase(),
          capture_method: 'manual',
          confirm: true,
          payment_method: paymentMethod,
          // A server-side confirm has no page to redirect to; methods that need one are refused, not left pending.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          // Lets Void Payment find an authorization whose response was lost (see voidAuthorization).
          metadata: { order_id: request.idempotencyKey },
        },
        { idempotencyKey: `${request.idempotencyKey}:authorize` },
      );
    } catch (error) {
      throw stripeErrorToProviderError(error, 'authorize');
    }
    if (intent.status === 'requires_action') throw new PaymentDeclined('authentication_required');
    if (intent.status === 'canceled') throw new AuthorizationVoided(`PaymentIntent ${intent.id} is canceled`);
    // Real Stripe reports a failed confirmation as a card error (thrown above) rather than a status,
    // and stripe-mock answers every call with a fixture status, so the status is not checked further.
    if (intent.amount !== request.amount.amount || intent.currency.toLowerCase() !== request.amount.currency.toLowerCase()) {
      // Recorded as a failure, never as an authorization: Void Payment cancels it.
      throw new IdempotencyMismatch(
        `Stripe authorized ${String(intent.amount)} ${intent.currency}, the order is ${String(request.amount.amount)} ${request.amount.currency}`,
      );
    }
    return { authorizationId: intent.id };
  }

  async capture(request: { idempotencyKey: string; authorizationId: string; amount: Money }): Promise<{ captureId: string }> {
    const stripe = await this.client();
    let intent: Stripe.PaymentIntent;
    try {
      intent = await stripe.paymentIntents.capture(
        request.authorizationId,
        { amount_to_capture: request.amount.amount },
        { idempotencyKey: `${request.idempotencyKey}:capture` },
      );
    } catch (error) {
      throw stripeErrorToProviderError(error, 'capture');
    }
    if (intent.id !== request.authorizationId) throw new CaptureDeclined(`Stripe captured ${intent.id}, not ${request.authorizationId}`);
    const charge = intent.latest_charge;
    return { captureId: typeof charge === 'string' ? charge : (charge?.id ?? intent.id) };
  }

  /**
   * Cancels the order's PaymentIntent. The authorization id is known when Authorize Payment
   * recorded it; otherwise (its response was lost, or it failed permanently) the intent is looked
   * up by the order id in its metadata. Stripe's search is eventually consistent (about a minute),
   * so an intent created in the last moments can be missed; an uncaptured intent is cancelled by
   * Stripe after 7 days, which bounds that gap (docs/payments-stripe.md).
   */
  async voidAuthorization(request: { idempotencyKey: string; authorizationId?: string }): Promise<{ outcome: 'VOIDED' | 'NOTHING_TO_VOID'; authorizationId?: string }> {
    const stripe = await this.client();
    const ids = request.authorizationId ? [request.authorizationId] : await openIntentsFor(stripe, request.idempotencyKey);
    if (ids.length === 0) return { outcome: 'NOTHING_TO_VOID' };
    // One intent per order is expected (one authorize key); any extra gets its own void key.
    for (const [index, id] of ids.entries()) await cancel(stripe, id, index === 0 ? `${request.idempotencyKey}:void` : `${request.idempotencyKey}:void:${id}`);
    return { outcome: 'VOIDED', authorizationId: ids[0] };
  }
}

/** Stripe's test PaymentMethod for a known test token, a PaymentMethod id as is, or one created from a card token. */
async function paymentMethodFor(stripe: StripeClient, token: string, orderKey: string): Promise<string> {
  const testMethod = Object.hasOwn(STRIPE_TEST_PAYMENT_METHODS, token) ? STRIPE_TEST_PAYMENT_METHODS[token] : undefined;
  if (testMethod) return testMethod;
  if (token.startsWith('pm_')) return token;
  // PaymentIntents take no card token directly (payment_method_data has no `card` type); Stripe.js tokens become a PaymentMethod first.
  const method = await stripe.paymentMethods.create({ type: 'card', card: { token } }, { idempotencyKey: `${orderKey}:payment-method` });
  return method.id;
}

async function openIntentsFor(stripe: StripeClient, orderKey: string): Promise<string[]> {
  try {
    const found = await stripe.paymentIntents.search({ query: `metadata['order_id']:'${orderKey.replaceAll("'", "\\'")}'`, limit: 10 });
    return found.data.filter((intent) => intent.metadata.order_id === orderKey && intent.status !== 'canceled').map((intent) => intent.id);
  } catch (error) {
    throw stripeErrorToProviderError(error, 'void');
  }
}

async function cancel(stripe: StripeClient, id: string, idempotencyKey: string): Promise<void> {
  try {
    await stripe.paymentIntents.cancel(id, {}, { idempotencyKey });
  } catch (error) {
    const status = error instanceof Stripe.errors.StripeError ? error.payment_intent?.status : undefined;
    if (status === 'canceled') return;
    if (status === 'succeeded') throw new PaymentAlreadyCaptured(`PaymentIntent ${id} was captured; it needs a refund, not a void`);
    throw stripeErrorToProviderError(error, 'void');
  }
}

/**
 * Maps an error from the Stripe client onto the saga's error names (functions/shared/ports/provider-errors.ts):
 * declines are PaymentDeclined, outages and throttling ProviderUnavailable (retried), a refused
 * capture CaptureDeclined, bad credentials or a request Stripe rejects ProviderMisconfigured
 * (permanent: the execution stops at Void Payment with CompensationFailed, which is alarmed). Anything not from Stripe passes through.
 */
export function stripeErrorToProviderError(error: unknown, operation: Operation): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const code = error.code ?? '';
  // The message is logged and stored with the step; the Stripe error itself is not kept as `cause`
  // (its raw body and headers could carry more than we want in logs).
  const detail = redactKeys(`Stripe ${error.type}${code ? ` (${code})` : ''}: ${error.message}${error.requestId ? ` [${error.requestId}]` : ''}`);
  const status = error.statusCode ?? 0;
  if (error instanceof Stripe.errors.StripeIdempotencyError) return new IdempotencyMismatch(detail);
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    status === 429 ||
    status === 409 ||
    status >= 500 ||
    TRANSIENT_REQUEST_CODES.has(code) ||
    RETRYABLE_CARD_CODES.has(code)
  ) {
    return new ProviderUnavailable(detail);
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) {
    return new ProviderMisconfigured(detail);
  }
  if (operation === 'capture' && (error instanceof Stripe.errors.StripeCardError || CAPTURE_REFUSED_CODES.has(code))) {
    return new CaptureDeclined(detail);
  }
  if (operation === 'authorize') {
    if (error instanceof Stripe.errors.StripeCardError) return new PaymentDeclined(error.decline_code || code || 'card_declined');
    if (DECLINING_REQUEST_CODES.has(code)) return new PaymentDeclined(code);
    // An unknown token or PaymentMethod, as the simulator declines an unknown token.
    if (code === 'resource_missing' && /token|payment_method/.test(error.param ?? '')) return new PaymentDeclined('invalid_token');
  }
  return new ProviderMisconfigured(detail);
}
