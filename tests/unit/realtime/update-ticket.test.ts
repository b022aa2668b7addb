import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { MAX_TICKET_TTL_SECONDS, signUpdateTicket, verifyUpdateTicket } from '#domain/update-ticket';

const KEY = 'k'.repeat(64);
const ORDER_A = `ord_${'a'.repeat(32)}`;
const ORDER_B = `ord_${'b'.repeat(32)}`;
const NOW = Date.parse('2026-12-01T12:00:00Z');

const ticketFor = (orderId = ORDER_A, owner = 'key-a', ttl = 300) => signUpdateTicket(KEY, { orderId, ownerApiKeyId: owner }, NOW, ttl);

describe('update tickets (sign/verify)', () => {
  it('verifies a fresh ticket and returns the order and owner it names', () => {
    expect(verifyUpdateTicket(KEY, ticketFor(), NOW + 1000)).toEqual({
      ok: true,
      claims: { orderId: ORDER_A, ownerApiKeyId: 'key-a', expiresAt: NOW / 1000 + 300 },
    });
  });

  it('refuses a ticket at and after its expiry, and accepts it one second before', () => {
    const ticket = ticketFor(ORDER_A, 'key-a', 60);
    expect(verifyUpdateTicket(KEY, ticket, NOW + 59_000).ok).toBe(true);
    expect(verifyUpdateTicket(KEY, ticket, NOW + 60_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyUpdateTicket(KEY, ticket, NOW + 3_600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses to sign a ticket living longer than five minutes or not at all', () => {
    expect(() => ticketFor(ORDER_A, 'key-a', MAX_TICKET_TTL_SECONDS + 1)).toThrow(RangeError);
    expect(() => ticketFor(ORDER_A, 'key-a', 0)).toThrow(RangeError);
  });

  it('refuses a ticket signed with another key', () => {
    expect(verifyUpdateTicket(`${KEY}x`, ticketFor(), NOW)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses a ticket whose payload was rewritten to another order or another owner', () => {
    const [version, , signature] = ticketFor().split('.');
    for (const claims of [{ o: ORDER_B, k: 'key-a', e: NOW / 1000 + 300 }, { o: ORDER_A, k: 'key-b', e: NOW / 1000 + 300 }, { o: ORDER_A, k: 'key-a', e: NOW / 1000 + 9999 }]) {
      const forged = `${String(version)}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${String(signature)}`;
      expect(verifyUpdateTicket(KEY, forged, NOW)).toEqual({ ok: false, reason: 'signature' });
    }
  });

  it.each([undefined, 42, '', 'v1', 'v1..', 'v2.eyJ9.' + '0'.repeat(64), `v1.e30.${'0'.repeat(63)}`, `v1.e30.${'G'.repeat(64)}`, `v1.e+0.${'0'.repeat(64)}`, `v1.${'x'.repeat(2000)}.${'0'.repeat(64)}`])(
    'refuses the malformed ticket %#',
    (ticket) => {
      expect(verifyUpdateTicket(KEY, ticket, NOW)).toEqual({ ok: false, reason: 'malformed' });
    },
  );

  it('refuses a correctly signed payload that does not hold valid claims', () => {
    const signedPayload = (payload: string) => {
      const encoded = Buffer.from(payload).toString('base64url');
      return `v1.${encoded}.${createHmac('sha256', KEY).update(`v1.${encoded}`).digest('hex')}`;
    };
    expect(verifyUpdateTicket(KEY, signedPayload('not json'), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyUpdateTicket(KEY, signedPayload(JSON.stringify({ o: 'ord_x', k: 'key-a', e: 1 })), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('property: changing any one character of a valid ticket makes it invalid', () => {
    const ticket = ticketFor();
    fc.assert(
      fc.property(fc.nat({ max: ticket.length - 1 }), fc.integer({ min: 0x20, max: 0x7e }), (index, code) => {
        fc.pre(ticket.charCodeAt(index) !== code);
        const tampered = ticket.slice(0, index) + String.fromCharCode(code) + ticket.slice(index + 1);
        expect(verifyUpdateTicket(KEY, tampered, NOW).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a ticket verifies for exactly the order and owner it was signed for', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[A-Za-z0-9]{1,20}$/), fc.integer({ min: 1, max: 300 }), (hex, owner, ttl) => {
        const verdict = verifyUpdateTicket(KEY, signUpdateTicket(KEY, { orderId: `ord_${hex}`, ownerApiKeyId: owner }, NOW, ttl), NOW);
        expect(verdict).toEqual({ ok: true, claims: { orderId: `ord_${hex}`, ownerApiKeyId: owner, expiresAt: NOW / 1000 + ttl } });
      }),
    );
  });
});
