/*
 * The payment simulator's Stripe-like test tokens: the one list. The simulator takes each token's
 * behaviour from it, and the local console builds its token menu from it. This module imports
 * nothing, so the console's browser bundle can include it.
 */

/** What the simulated provider does when asked to authorize with a token. */
export type TokenBehaviour =
  | { kind: 'approve' }
  | { kind: 'decline'; declineCode: string }
  | { kind: 'flaky'; failures: number }
  | { kind: 'unavailable' }
  | { kind: 'captureDeclined' };

const APPROVES: TokenBehaviour = { kind: 'approve' };

/**
 * The fixed test tokens, in the order the console offers them. Any other token is declined as
 * `invalid_token`, so a typo never looks like an approval, unless it is a FLAKY_TOKEN.
 */
export const PAYMENT_TEST_TOKENS: Readonly<Record<string, Readonly<TokenBehaviour>>> = {
  tok_visa: APPROVES,
  tok_mastercard: APPROVES,
  tok_amex: APPROVES,
  tok_chargeDeclined: { kind: 'decline', declineCode: 'card_declined' },
  tok_insufficient_funds: { kind: 'decline', declineCode: 'insufficient_funds' },
  tok_expired_card: { kind: 'decline', declineCode: 'expired_card' },
  tok_capture_declined: { kind: 'captureDeclined' },
  tok_unavailable: { kind: 'unavailable' },
};

/** tok_flaky_1 … tok_flaky_9: fails transiently N times, then approves. */
export const FLAKY_TOKEN = /^tok_flaky_([1-9])$/;
/** The FLAKY_TOKEN a menu offers. */
export const FLAKY_TOKEN_EXAMPLE = 'tok_flaky_2';

/** The behaviour of any token, listed or not. */
export function tokenBehaviour(token: string): TokenBehaviour {
  // hasOwn: a token such as "constructor" must not find Object.prototype's.
  const listed = Object.hasOwn(PAYMENT_TEST_TOKENS, token) && PAYMENT_TEST_TOKENS[token];
  if (listed) return listed;
  const failures = FLAKY_TOKEN.exec(token)?.[1];
  return failures ? { kind: 'flaky', failures: Number(failures) } : { kind: 'decline', declineCode: 'invalid_token' };
}

/** What a token does, in words, e.g. for the console's menu. */
export function describeTokenBehaviour(behaviour: TokenBehaviour): string {
  switch (behaviour.kind) {
    case 'approve':
      return 'approves';
    case 'decline':
      return `declines at authorization (${behaviour.declineCode})`;
    case 'flaky':
      return `fails transiently ${behaviour.failures} times, then approves (retries)`;
    case 'unavailable':
      return 'the provider is always unavailable (retries run out)';
    case 'captureDeclined':
      return 'authorizes, then the capture is declined (compensations)';
  }
}
