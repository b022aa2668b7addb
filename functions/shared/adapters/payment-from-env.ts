import { TransientError, describeError } from '#domain/errors';
import { ConfigurationError, requireEnv } from '#platform/config';
import { classifyDependencyError } from '#platform/dependency-errors';
import { cachedSecret } from '#platform/secrets';
import type { PaymentProvider } from '#ports/payment-provider';
import { ProviderMisconfigured } from '#ports/provider-errors';
import { simulatorLedgerFromEnv } from './from-env';
import { PaymentSimulator } from './payment-simulator';

/*
 * The payment provider named by PAYMENT_PROVIDER, apart from from-env.ts so that only the three
 * payment functions bundle it. The Stripe adapter and the `stripe` package are loaded only when
 * PAYMENT_PROVIDER is stripe, so a simulator deployment's cold start does not pay for them.
 */

/** The payment provider named by PAYMENT_PROVIDER (simulator | stripe). */
export function paymentProviderFromEnv(): PaymentProvider {
  const name = requireEnv('PAYMENT_PROVIDER');
  if (name === 'simulator') return new PaymentSimulator(simulatorLedgerFromEnv());
  if (name === 'stripe') return stripeFromEnv();
  throw new ConfigurationError(`Unknown PAYMENT_PROVIDER '${name}'; supported: simulator, stripe`);
}

/**
 * The Stripe adapter with the secret key from Secrets Manager (STRIPE_SECRET_ID, read through
 * Powertools Parameters, cached for SECRET_MAX_AGE_SECONDS, never logged); a rotated key gets a
 * new client. STRIPE_API_BASE_URL is set only by the local runtime, to reach stripe-mock; on AWS
 * the client talks to api.stripe.com.
 */
function stripeFromEnv(): PaymentProvider {
  const secretId = requireEnv('STRIPE_SECRET_ID');
  const readKey = stripeKeyReader(cachedSecret(secretId), secretId);
  const connection = stripeConnection(process.env.STRIPE_API_BASE_URL);
  // Started at cold start (module scope of the handler), awaited by each call.
  const loading = Promise.all([import('stripe'), import('./stripe-payment-provider')]);
  let current: { key: string; client: import('stripe').Stripe } | undefined;
  const adapter = loading.then(
    ([{ default: Stripe }, { StripePaymentProvider }]) =>
      new StripePaymentProvider(async () => {
        const key = await readKey();
        if (current?.key !== key) {
          // Step Functions retries (with the same idempotency keys); one quick SDK retry absorbs a dropped connection.
          current = { key, client: new Stripe(key, { maxNetworkRetries: 1, timeout: 5000, telemetry: false, ...connection }) };
        }
        return current.client;
      }),
  );
  // The rejection surfaces on the first call; not an unhandled rejection at cold start.
  adapter.catch(() => undefined);
  return {
    authorize: async (request) => (await adapter).authorize(request),
    capture: async (request) => (await adapter).capture(request),
    voidAuthorization: async (request) => (await adapter).voidAuthorization(request),
  };
}

/**
 * The key, or why not: a throttled or unreachable Secrets Manager is transient (retried); a missing
 * secret or a denied read is a configuration error (ProviderMisconfigured: not retried, alarmed).
 */
export function stripeKeyReader(read: () => Promise<string>, secretId: string): () => Promise<string> {
  return async () => {
    try {
      return await read();
    } catch (error) {
      // Powertools wraps the SDK's error (GetParameterError) with it as the cause.
      const original = error instanceof Error && error.cause !== undefined ? error.cause : error;
      const classified = classifyDependencyError(original);
      if (classified instanceof TransientError) throw classified;
      throw new ProviderMisconfigured(`The Stripe secret key (secret ${secretId}) could not be read: ${describeError(original).name}`);
    }
  };
}

/** host/port/protocol for the Stripe client from a base URL such as http://127.0.0.1:12111. */
export function stripeConnection(baseUrl: string | undefined): { host?: string; port?: number; protocol?: 'http' | 'https' } {
  if (!baseUrl) return {};
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError(`STRIPE_API_BASE_URL must be http(s), got '${baseUrl}'`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}
