import { createHmac, timingSafeEqual } from 'node:crypto';
import { ORDER_ID_PATTERN } from './order-ids';

/**
 * The ticket that admits a browser to an order's live updates. Browsers cannot set headers on a
 * WebSocket, so the ticket travels in the URL's query string, and is therefore short-lived and
 * bound to one order and its owner: `v1.<payload>.<signature>`, where payload is base64url JSON
 * `{"o": orderId, "k": ownerApiKeyId, "e": expiry in epoch seconds}` and signature is the
 * lower-case hex HMAC-SHA256 of `v1.<payload>` under the ticket key.
 *
 * The MAC covers the payload's characters as sent, not its decoded bytes, and the signature must be
 * exactly 64 lower-case hex digits, so no other spelling of a valid ticket verifies (base64 padding
 * bits and hex case would otherwise let some one-character edits through).
 */
export interface UpdateTicketClaims {
  orderId: string;
  ownerApiKeyId: string;
  /** Epoch seconds after which the ticket is refused. */
  expiresAt: number;
}

/** The longest lifetime a ticket may have (issue 13: five minutes or less). */
export const MAX_TICKET_TTL_SECONDS = 300;

const VERSION = 'v1';
const SIGNATURE = /^[0-9a-f]{64}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** API Gateway key ids are alphanumeric (test keys add - and _); anything else cannot have been signed. */
const OWNER = /^[A-Za-z0-9_-]{1,128}$/;

export type TicketVerdict = { ok: true; claims: UpdateTicketClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

function mac(key: string, signed: string): string {
  return createHmac('sha256', key).update(signed).digest('hex');
}

/** Signs a ticket for one order and owner, valid for ttlSeconds (1..300) from now. */
export function signUpdateTicket(key: string, claims: Omit<UpdateTicketClaims, 'expiresAt'>, nowMs: number, ttlSeconds: number): string {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TICKET_TTL_SECONDS) {
    throw new RangeError(`A ticket lives 1..${String(MAX_TICKET_TTL_SECONDS)} seconds, got ${String(ttlSeconds)}`);
  }
  if (key.length === 0) throw new RangeError('The ticket key is empty');
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const payload = Buffer.from(JSON.stringify({ o: claims.orderId, k: claims.ownerApiKeyId, e: expiresAt })).toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(key, signed)}`;
}

/**
 * Checks a ticket's form, signature (in constant time) and expiry. The signature is checked before
 * the payload is parsed, so nothing an attacker wrote is interpreted unless the key signed it.
 */
export function verifyUpdateTicket(key: string, ticket: unknown, nowMs: number): TicketVerdict {
  if (typeof ticket !== 'string' || ticket.length > 1024 || key.length === 0) return { ok: false, reason: 'malformed' };
  const parts = ticket.split('.');
  const [version, payload, signature] = parts;
  if (parts.length !== 3 || version !== VERSION || !payload || !BASE64URL.test(payload) || !signature || !SIGNATURE.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = Buffer.from(mac(key, `${version}.${payload}`), 'ascii');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'ascii'))) return { ok: false, reason: 'signature' };

  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (Math.floor(nowMs / 1000) >= claims.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function parseClaims(payload: string): UpdateTicketClaims | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { o, k, e } = parsed as { o?: unknown; k?: unknown; e?: unknown };
  if (typeof o !== 'string' || !ORDER_ID_PATTERN.test(o) || typeof k !== 'string' || !OWNER.test(k) || typeof e !== 'number' || !Number.isInteger(e)) {
    return undefined;
  }
  return { orderId: o, ownerApiKeyId: k, expiresAt: e };
}
