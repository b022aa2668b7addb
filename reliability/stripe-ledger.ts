import type { StripeJournalEntry } from '../local/payments/stripe-idempotency';

/** A payment as the simulators' ledger describes it (`payment#<orderId>`), so checkInvariants can read Stripe's side too. */
export interface StripePaymentEntry {
  pk: string;
  status: 'AUTHORIZED' | 'CAPTURED' | 'VOIDED';
  /** Every capture Stripe performed for the order, summed: a double capture shows as more than the order total. */
  capturedAmount?: { amount: number };
  captureCount: number;
  captureId?: string;
}

/**
 * Stripe's side of each order, from the local runtime's journal of Stripe requests
 * (info.stripeJournal, PaymentProvider=stripe): the PaymentIntents authorized under
 * `<orderId>:authorize`, captured and cancelled. A replayed answer is not a second operation.
 */
export function stripePaymentLedger(entries: readonly StripeJournalEntry[]): Map<string, StripePaymentEntry> {
  const orders = new Map<string, { authorized: Set<string>; cancelled: Set<string>; captured: number; capturedAmount: number; captureId?: string }>();
  const orderOf = (key: string | undefined) => key?.split(':')[0];
  for (const entry of entries) {
    const orderId = orderOf(entry.idempotencyKey);
    if (!orderId || entry.status !== 200 || entry.replayed) continue;
    const order = orders.get(orderId) ?? { authorized: new Set<string>(), cancelled: new Set<string>(), captured: 0, capturedAmount: 0 };
    orders.set(orderId, order);
    const intent = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(entry.path);
    if (entry.path === '/v1/payment_intents' && entry.objectId) order.authorized.add(entry.objectId);
    else if (intent?.[2] === 'capture') {
      order.captured += 1;
      order.capturedAmount += Number(entry.params?.amount_to_capture ?? 0);
      order.captureId = intent[1];
    } else if (intent?.[2] === 'cancel' && intent[1]) order.cancelled.add(intent[1]);
  }
  const ledger = new Map<string, StripePaymentEntry>();
  for (const [orderId, order] of orders) {
    if (order.authorized.size === 0 && order.captured === 0) continue;
    const open = [...order.authorized].some((id) => !order.cancelled.has(id));
    const status = order.captured > 0 ? 'CAPTURED' : open ? 'AUTHORIZED' : 'VOIDED';
    ledger.set(`payment#${orderId}`, {
      pk: `payment#${orderId}`,
      status,
      captureCount: order.captured,
      ...(order.captured > 0 ? { capturedAmount: { amount: order.capturedAmount } } : {}),
      ...(order.captureId ? { captureId: order.captureId } : {}),
    });
  }
  return ledger;
}
