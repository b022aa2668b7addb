import type { Money } from '#domain/money';

/**
 * Port for a card payment provider (Stripe, Adyen, …). Every call carries an idempotency key;
 * a provider must return the first result for a repeated key and never charge twice.
 * Errors: PaymentDeclined, CaptureDeclined, AuthorizationVoided, PaymentAlreadyCaptured (permanent),
 * ProviderMisconfigured (permanent, an operator must act), ProviderUnavailable (transient).
 */
export interface PaymentProvider {
  authorize(request: { idempotencyKey: string; token: string; amount: Money }): Promise<{ authorizationId: string }>;
  capture(request: { idempotencyKey: string; authorizationId: string; amount: Money }): Promise<{ captureId: string }>;
  /**
   * Releases any authorization made under the key, given its id when the order recorded one (a
   * provider that keeps its own ledger may ignore it). The simulator also bars the key from
   * authorizing afterwards; Stripe cannot (docs/payments-stripe.md).
   */
  voidAuthorization(request: { idempotencyKey: string; authorizationId?: string }): Promise<{ outcome: 'VOIDED' | 'NOTHING_TO_VOID'; authorizationId?: string }>;
}
