import { problemOf } from '../../../reliability/pushed-updates';

/** A session that received these statuses, one message each, a second apart. */
function session(...statuses: string[]) {
  return { subscriber: { messages: statuses.map((status, index) => view(undefined, status, index)) } };
}
/** One message, with why it was sent (functions/shared/api/order-updates.ts OrderUpdateReason) if given, `second` s after 12:00:10. */
function view(reason: string | undefined, status: string, second: number) {
  return { type: 'order', ...(reason ? { reason } : {}), order: { orderId: 'o', status, updatedAt: `2026-12-01T12:00:${String(10 + second)}.000Z` } };
}
const HAPPY = ['RECEIVED', 'PAYMENT_AUTHORIZED', 'SHIPPED', 'PAYMENT_CAPTURED', 'COMPLETED'];

describe("the chaos suite's check of what an order's subscribers showed", () => {
  it('accepts every status in order, from where each connection joined', () => {
    expect(problemOf({ sessions: [session(...HAPPY)] }, 'COMPLETED', HAPPY)).toBe('');
    expect(problemOf({ sessions: [session('SHIPPED', 'PAYMENT_CAPTURED', 'COMPLETED')] }, 'COMPLETED', HAPPY)).toBe('');
  });

  it('accepts a gap between connections (the kill dropped one; the next opened on the snapshot)', () => {
    const second = { subscriber: { messages: [{ type: 'order', order: { orderId: 'o', status: 'PAYMENT_CAPTURED', updatedAt: '2026-12-01T12:01:00.000Z' } }, { type: 'order', order: { orderId: 'o', status: 'COMPLETED', updatedAt: '2026-12-01T12:01:01.000Z' } }] } };
    expect(problemOf({ sessions: [session('RECEIVED'), second] }, 'COMPLETED', HAPPY)).toBe('');
  });

  it('refuses a status missed while a connection was open', () => {
    expect(problemOf({ sessions: [session('RECEIVED', 'PAYMENT_CAPTURED', 'COMPLETED')] }, 'COMPLETED', HAPPY)).toMatch(/connection 1 showed RECEIVED,PAYMENT_CAPTURED,COMPLETED/);
  });

  it("accepts gaps before the connection's snapshot: a terminal snapshot closed it before the change feed's pushes arrived", () => {
    const overtaken = { subscriber: { messages: [view('change', 'PAYMENT_AUTHORIZED', 1), view('snapshot', 'COMPLETED', 4)] } };
    expect(problemOf({ sessions: [overtaken] }, 'COMPLETED', HAPPY)).toBe('');
  });

  it('refuses a status missed after the snapshot, even where the message order alone looks like the gap above', () => {
    const lost = { subscriber: { messages: [view('snapshot', 'PAYMENT_AUTHORIZED', 1), view('change', 'COMPLETED', 4)] } };
    expect(problemOf({ sessions: [lost] }, 'COMPLETED', HAPPY)).toMatch(/connection 1 showed PAYMENT_AUTHORIZED,COMPLETED and missed SHIPPED,PAYMENT_CAPTURED/);
  });

  it('refuses a status going back, and a last view that is not the final status', () => {
    expect(problemOf({ sessions: [session('SHIPPED', 'PAYMENT_AUTHORIZED', 'COMPLETED')] }, 'COMPLETED', HAPPY)).toMatch(/out of order/);
    expect(problemOf({ sessions: [session('RECEIVED', 'PAYMENT_AUTHORIZED')] }, 'COMPLETED', HAPPY)).toMatch(/last view PAYMENT_AUTHORIZED, order COMPLETED/);
  });

  it('follows a compensated path: CANCELLING between the last forward status and FAILED', () => {
    const path = ['RECEIVED', 'PAYMENT_AUTHORIZED', 'CANCELLING', 'FAILED'];
    expect(problemOf({ sessions: [session(...path)] }, 'FAILED', path)).toBe('');
    expect(problemOf({ sessions: [session('RECEIVED', 'PAYMENT_AUTHORIZED', 'FAILED')] }, 'FAILED', path)).toMatch(/connection 1/);
  });
});
