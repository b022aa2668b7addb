import { PermanentError, TransientError } from '#domain/errors';

/** The provider could not be reached or asked us to back off. Step Functions retries it. */
export class ProviderUnavailable extends TransientError {
  override name = 'ProviderUnavailable';
}

/** The issuer declined the authorization. Not retried; the order fails with no shipment. */
export class PaymentDeclined extends PermanentError {
  override name = 'PaymentDeclined';
  constructor(readonly declineCode: string) {
    super(`Payment declined: ${declineCode}`);
  }
}

/** The capture of an authorized payment was refused. */
export class CaptureDeclined extends PermanentError {
  override name = 'CaptureDeclined';
}

/** The authorization was voided, so it can no longer be created or captured. */
export class AuthorizationVoided extends PermanentError {
  override name = 'AuthorizationVoided';
}

/** A captured payment cannot be voided; it needs a refund, which is an operator decision. */
export class PaymentAlreadyCaptured extends PermanentError {
  override name = 'PaymentAlreadyCaptured';
}

/**
 * The provider refused our credentials or our request (Stripe: authentication, permission, or an
 * invalid parameter). Retrying cannot help and it is not the customer's fault: no Retry lists it,
 * so the order is compensated and, as the void fails the same way, the execution stops at Void Payment
 * with CompensationFailed (alarmed; an operator retries it once the key is fixed).
 */
export class ProviderMisconfigured extends PermanentError {
  override name = 'ProviderMisconfigured';
}

/** An idempotency key was reused with a different request. */
export class IdempotencyMismatch extends PermanentError {
  override name = 'IdempotencyMismatch';
}

/** The carrier does not deliver to the address. Not retried; the authorization is voided. */
export class AddressNotServiceable extends PermanentError {
  override name = 'AddressNotServiceable';
}

/** The shipment was cancelled, so it can no longer be created. */
export class ShipmentCancelled extends PermanentError {
  override name = 'ShipmentCancelled';
}
