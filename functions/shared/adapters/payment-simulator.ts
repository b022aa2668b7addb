import type { Money } from '#domain/money';
import { sha256 } from '#domain/order-ids';
import type { PaymentProvider } from '#ports/payment-provider';
import {
  AuthorizationVoided,
  CaptureDeclined,
  IdempotencyMismatch,
  PaymentAlreadyCaptured,
  PaymentDeclined,
  ProviderUnavailable,
} from '#ports/provider-errors';
import type { LedgerEntry, SimulatorLedger } from '#ports/simulator-ledger';
import { tokenBehaviour } from './payment-test-tokens';

/** An authorization in the simulator's ledger. `pk` is `payment#<idempotency key>`. */
export interface PaymentLedgerEntry extends LedgerEntry {
  status: 'AUTHORIZED' | 'CAPTURED' | 'VOIDED' | 'DECLINED';
  authorizationId?: string;
  amount?: Money;
  declineCode?: string;
  declineCapture?: boolean;
  captureId?: string;
  capturedAmount?: Money;
}

/** A deterministic payment provider that keeps a durable ledger and honours idempotency keys. */
export class PaymentSimulator implements PaymentProvider {
  constructor(
    private readonly ledger: SimulatorLedger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authorize(request: { idempotencyKey: string; token: string; amount: Money }): Promise<{ authorizationId: string }> {
    const pk = `payment#${request.idempotencyKey}`;
    // No read first: the conditional insert below returns the recorded entry (an authorization, a
    // decline or a void tombstone) when the key was used before, so a replay answers the same.
    const behaviour = tokenBehaviour(request.token);
    if (behaviour.kind === 'unavailable') throw new ProviderUnavailable('Payment provider unavailable (simulated)');
    if (behaviour.kind === 'flaky') {
      const attempt = await this.ledger.countAttempt(`authorize#${request.idempotencyKey}`);
      if (attempt <= behaviour.failures) {
        throw new ProviderUnavailable(`Payment provider unavailable (simulated, attempt ${attempt} of ${behaviour.failures} failing)`);
      }
    }
    const now = this.now().toISOString();
    const entry: PaymentLedgerEntry =
      behaviour.kind === 'decline'
        ? { pk, status: 'DECLINED', declineCode: behaviour.declineCode, amount: request.amount, createdAt: now, updatedAt: now }
        : {
            pk,
            status: 'AUTHORIZED',
            authorizationId: `auth_${sha256(pk).slice(0, 24)}`,
            amount: request.amount,
            declineCapture: behaviour.kind === 'captureDeclined',
            createdAt: now,
            updatedAt: now,
          };
    return this.replayAuthorization(await this.ledger.insert(entry), request.amount);
  }

  private replayAuthorization(entry: PaymentLedgerEntry, amount: Money): { authorizationId: string } {
    if (entry.status === 'DECLINED') throw new PaymentDeclined(entry.declineCode ?? 'card_declined');
    if (entry.status === 'VOIDED') throw new AuthorizationVoided('The authorization for this key was voided');
    if (!entry.authorizationId || entry.amount?.amount !== amount.amount || entry.amount.currency !== amount.currency) {
      throw new IdempotencyMismatch('Idempotency key reused with a different amount');
    }
    return { authorizationId: entry.authorizationId };
  }

  async capture(request: { idempotencyKey: string; authorizationId: string; amount: Money }): Promise<{ captureId: string }> {
    const pk = `payment#${request.idempotencyKey}`;
    const captureId = `cap_${sha256(`${pk}#capture`).slice(0, 24)}`;
    // One conditional write that checks what a capture needs; the entry is read only when it is refused.
    const captured = await this.ledger.transition<PaymentLedgerEntry>(pk, ['AUTHORIZED'], 'CAPTURED', { captureId, capturedAmount: request.amount }, [
      { path: 'authorizationId', equals: request.authorizationId },
      { path: 'declineCapture', notEquals: true },
      { path: 'amount.currency', equals: request.amount.currency },
      { path: 'amount.amount', atLeast: request.amount.amount },
    ]);
    if (captured) return { captureId };
    return this.refusedCapture(pk, request);
  }

  /** Why a capture's write was refused: an earlier capture of this authorization (a replay), or the reason it is declined. */
  private async refusedCapture(pk: string, request: { authorizationId: string; amount: Money }): Promise<{ captureId: string }> {
    const entry = await this.ledger.get<PaymentLedgerEntry>(pk);
    if (!entry || entry.authorizationId !== request.authorizationId) {
      throw new CaptureDeclined(`No authorization ${request.authorizationId} for this key`);
    }
    if (entry.status === 'CAPTURED' && entry.captureId) return { captureId: entry.captureId };
    if (entry.status !== 'AUTHORIZED') throw new CaptureDeclined(`Authorization is ${entry.status}`);
    if (entry.declineCapture) throw new CaptureDeclined('Capture declined by the issuer (simulated)');
    throw new CaptureDeclined('Capture exceeds the authorized amount');
  }

  async voidAuthorization(request: { idempotencyKey: string }): Promise<{ outcome: 'VOIDED' | 'NOTHING_TO_VOID'; authorizationId?: string }> {
    const pk = `payment#${request.idempotencyKey}`;
    const now = this.now().toISOString();
    // A tombstone makes a late authorization under this key impossible.
    const entry = await this.ledger.insert<PaymentLedgerEntry>({ pk, status: 'VOIDED', createdAt: now, updatedAt: now });
    if (entry.status === 'DECLINED') return { outcome: 'NOTHING_TO_VOID' };
    if (entry.status === 'CAPTURED') throw new PaymentAlreadyCaptured('A captured payment needs a refund, not a void');
    if (entry.status === 'AUTHORIZED') {
      const voided = await this.ledger.transition<PaymentLedgerEntry>(pk, ['AUTHORIZED'], 'VOIDED', { voidedAt: now });
      if (!voided) return this.voidAuthorization(request);
    }
    return entry.authorizationId
      ? { outcome: 'VOIDED', authorizationId: entry.authorizationId }
      : { outcome: 'NOTHING_TO_VOID' };
  }
}
