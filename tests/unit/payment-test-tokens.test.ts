import { FLAKY_TOKEN_EXAMPLE, PAYMENT_TEST_TOKENS, describeTokenBehaviour, tokenBehaviour } from '#adapters/payment-test-tokens';

describe('the payment test tokens (one list for the simulator and the console)', () => {
  it('gives every listed token its own behaviour, described for the console', () => {
    for (const [token, behaviour] of Object.entries(PAYMENT_TEST_TOKENS)) {
      expect(tokenBehaviour(token)).toBe(behaviour);
      expect(describeTokenBehaviour(behaviour)).not.toBe('');
    }
    expect(tokenBehaviour('tok_chargeDeclined')).toEqual({ kind: 'decline', declineCode: 'card_declined' });
  });

  it('makes tok_flaky_1 to tok_flaky_9 fail N times, and offers tok_flaky_2 as the example', () => {
    expect(tokenBehaviour('tok_flaky_1')).toEqual({ kind: 'flaky', failures: 1 });
    expect(tokenBehaviour(FLAKY_TOKEN_EXAMPLE)).toEqual({ kind: 'flaky', failures: 2 });
    expect(tokenBehaviour('tok_flaky_0')).toEqual({ kind: 'decline', declineCode: 'invalid_token' });
  });

  it('declines any other token as invalid_token, including names Object.prototype has', () => {
    for (const token of ['tok_typo', 'constructor', 'toString', '__proto__', '']) {
      expect(tokenBehaviour(token)).toEqual({ kind: 'decline', declineCode: 'invalid_token' });
    }
  });
});
