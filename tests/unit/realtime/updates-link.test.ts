import { updatesLinks } from '#api/updates-link';
import { verifyUpdateTicket } from '#domain/update-ticket';

const ORDER = { orderId: `ord_${'c'.repeat(32)}`, ownerApiKeyId: 'key-a' };
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('links.updates', () => {
  it('is the WebSocket URL with the order id and a ticket for that order and owner, expiring after the TTL', async () => {
    const links = updatesLinks({ url: 'ws://127.0.0.1:3003/dev', ticketTtlSeconds: 120, key: () => Promise.resolve('k1'), now: () => NOW });

    const link = new URL(String(await links.linkFor(ORDER)));

    expect(`${link.protocol}//${link.host}${link.pathname}`).toBe('ws://127.0.0.1:3003/dev');
    expect(link.searchParams.get('orderId')).toBe(ORDER.orderId);
    expect(verifyUpdateTicket('k1', link.searchParams.get('ticket'), NOW)).toEqual({ ok: true, claims: { ...ORDER, expiresAt: NOW / 1000 + 120 } });
    expect(verifyUpdateTicket('k1', link.searchParams.get('ticket'), NOW + 120_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('is left out, rather than failing the response, when the ticket key cannot be read', async () => {
    const links = updatesLinks({ url: 'wss://x/dev', ticketTtlSeconds: 60, key: () => Promise.reject(new Error('AccessDenied')), now: () => NOW });
    expect(await links.linkFor(ORDER)).toBeUndefined();
  });
});
