import type { LocalFunction } from '../template/local-template';
import type { LocalSecret } from '../template/readers/secrets';
import { join } from 'node:path';
import { OutageProxy } from '../storage/outage-proxy';
import { StripeIdempotencyProxy } from './stripe-idempotency';
import { STRIPE_MOCK_INSTALL, findStripeMock, startStripeMock } from './stripe-mock';

/*
 * `npm start -- --parameter-overrides PaymentProvider=stripe`: the payment functions run the real
 * Stripe adapter against stripe-mock, which the runtime starts on a free port and stops on exit.
 * They reach it through STRIPE_API_BASE_URL (the AWS_ENDPOINT_URL_* of Stripe), and read a
 * test-mode key from the local Secrets Manager under the name the template gives them.
 */

/** What stripe-mock accepts as a key; any sk_test_ value does. Never a real key. */
const LOCAL_TEST_KEY = 'sk_test_localStripeMock';

export interface LocalStripe {
  /** The functions' STRIPE_API_BASE_URL: the idempotency layer, or in fault mode the outage proxy in front of it. */
  url: string;
  /** Every request the functions made to Stripe (JSON lines, local/payments/stripe-idempotency.ts), for invariant checks. */
  journal: string;
  /** The key the functions read (STRIPE_SECRET_ID), served by the local Secrets Manager. */
  secrets: LocalSecret[];
  /** Fault mode only: `{"outage": "stripe", "ms": N}` cuts the functions off from Stripe. */
  proxy?: OutageProxy;
  stop(): Promise<void>;
}

function stripeFunctions(functions: readonly LocalFunction[]): LocalFunction[] {
  return functions.filter((fn) => fn.environment.PAYMENT_PROVIDER === 'stripe');
}

/** Refuses, before anything is built, to start a Stripe configuration without stripe-mock. */
export function assertStripeMockAvailable(root: string, functions: readonly LocalFunction[]): void {
  if (stripeFunctions(functions).length === 0 || findStripeMock(root)) return;
  throw new Error(
    'PaymentProvider=stripe runs the payment functions against stripe-mock, which is not installed. ' +
      `Install it from the project root (.ci/run does the same): ${STRIPE_MOCK_INSTALL}, or set STRIPE_MOCK_BIN; or start without PaymentProvider=stripe.`,
  );
}

/** Starts stripe-mock when a function uses the Stripe adapter; undefined otherwise. */
export async function startLocalStripe(
  root: string,
  functions: readonly LocalFunction[],
  options: { region: string; accountId: string; faults: boolean; dataDir: string },
): Promise<LocalStripe | undefined> {
  const users = stripeFunctions(functions);
  if (users.length === 0) return undefined;
  const names = [...new Set(users.map((fn) => fn.environment.STRIPE_SECRET_ID ?? ''))];
  if (names.some((name) => name === '')) throw new Error(`PaymentProvider=stripe needs STRIPE_SECRET_ID on ${users.map((fn) => fn.logicalId).join(', ')}`);
  const mock = await startStripeMock(root);
  const journal = join(options.dataDir, 'stripe-requests.jsonl');
  const idempotency = new StripeIdempotencyProxy(mock.url, journal);
  const idempotencyUrl = await idempotency.start();
  const proxy = options.faults ? new OutageProxy(Number(new URL(idempotencyUrl).port)) : undefined;
  const url = proxy ? await proxy.start() : idempotencyUrl;
  return {
    url,
    journal,
    secrets: names.map((name) => ({
      logicalId: `StripeSecretKey(${name})`,
      name,
      // Secrets Manager appends six random characters; these are fixed so restarts keep the ARN.
      arn: `arn:aws:secretsmanager:${options.region}:${options.accountId}:secret:${name}-LOCALk`,
      description: 'Local stand-in for the Stripe secret key: a test-mode key stripe-mock accepts',
      secretString: LOCAL_TEST_KEY,
    })),
    ...(proxy ? { proxy } : {}),
    stop: async () => {
      await proxy?.close();
      await idempotency.close();
      await mock.stop();
    },
  };
}
