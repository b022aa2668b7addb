import type { StripeJournalEntry } from '../../../local/payments/stripe-idempotency';
import { stripePaymentLedger } from '../../../reliability/stripe-ledger';

const call = (path: string, idempotencyKey: string, fields: Partial<StripeJournalEntry> = {}): StripeJournalEntry => ({
  at: '2026-12-01T00:00:00.000Z',
  method: 'POST',
  path,
  idempotencyKey,
  requestHash: 'h',
  status: 200,
  replayed: false,
  body: '',
  ...fields,
});

describe("Stripe's side of each order, from the local runtime's Stripe journal", () => {
  it('tells captured, voided and still-open authorizations apart, ignoring replays and refused calls', () => {
    const ledger = stripePaymentLedger([
      call('/v1/payment_intents', 'ord_a:authorize', { objectId: 'pi_a' }),
      call('/v1/payment_intents', 'ord_a:authorize', { objectId: 'pi_a', replayed: true }),
      call('/v1/payment_intents/pi_a/capture', 'ord_a:capture', { params: { amount_to_capture: '2599' } }),
      call('/v1/payment_intents', 'ord_b:authorize', { objectId: 'pi_b' }),
      call('/v1/payment_intents/pi_b/cancel', 'ord_b:void'),
      call('/v1/payment_intents', 'ord_c:authorize', { objectId: 'pi_c' }),
      call('/v1/payment_intents/pi_c/cancel', 'ord_c:void', { status: 400 }),
      call('/v1/payment_methods', 'ord_d:payment-method', { objectId: 'pm_d' }),
    ]);
    expect(ledger.get('payment#ord_a')).toMatchObject({ status: 'CAPTURED', captureCount: 1, capturedAmount: { amount: 2599 } });
    expect(ledger.get('payment#ord_b')?.status).toBe('VOIDED');
    expect(ledger.get('payment#ord_c')?.status).toBe('AUTHORIZED');
    expect(ledger.has('payment#ord_d')).toBe(false);
  });

  it('counts a second capture under a different key as a double capture', () => {
    const ledger = stripePaymentLedger([
      call('/v1/payment_intents', 'ord_a:authorize', { objectId: 'pi_a' }),
      call('/v1/payment_intents/pi_a/capture', 'ord_a:capture', { params: { amount_to_capture: '2599' } }),
      call('/v1/payment_intents/pi_a/capture', 'ord_a:capture-again', { params: { amount_to_capture: '2599' } }),
    ]);
    expect(ledger.get('payment#ord_a')).toMatchObject({ captureCount: 2, capturedAmount: { amount: 5198 } });
  });
});
