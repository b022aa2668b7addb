import type { FieldError } from '#domain/order-request';
import { ALL_ORDER_STATUSES, type OrderStatus } from '#domain/order';
import { ORDER_ID_PATTERN } from '#domain/order-ids';
import type { ListPosition, ListQuery } from '#ports/order-listing';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** An ISO-8601 UTC instant as createdAt stores it (Date.toISOString), or undefined. */
function instant(value: string): string | undefined {
  if (!ISO_INSTANT.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The opaque cursor: the index position of a page's last row, base64url JSON. It is validated on
 * the way back in (shape, order id, an instant, and the same status and range as the query), so a
 * cursor from another query or an edited one is a 400, never a Query with a foreign start key.
 */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.status, position.createdAt, position.orderId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): ListPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((part) => typeof part === 'string')) return undefined;
  const [status, createdAt, orderId] = parsed as [string, string, string];
  if (!isStatus(status) || instant(createdAt) !== createdAt || !ORDER_ID_PATTERN.test(orderId)) return undefined;
  return { status, createdAt, orderId };
}

function isStatus(value: string): value is OrderStatus {
  return (ALL_ORDER_STATUSES as readonly string[]).includes(value);
}

/** GET /admin/orders query parameters, validated: the status (one index partition) is required. */
export function parseListQuery(parameters: Record<string, string | undefined> | null): { ok: true; query: ListQuery } | { ok: false; errors: FieldError[] } {
  const params = parameters ?? {};
  const errors: FieldError[] = [];
  const status = params.status;
  if (status === undefined || !isStatus(status)) errors.push({ path: 'status', message: `Required; one of ${ALL_ORDER_STATUSES.join(', ')}` });
  const from = params.from === undefined ? undefined : instant(params.from);
  if (params.from !== undefined && from === undefined) errors.push({ path: 'from', message: 'Must be an ISO-8601 UTC instant, e.g. 2026-12-01T00:00:00.000Z' });
  const to = params.to === undefined ? undefined : instant(params.to);
  if (params.to !== undefined && to === undefined) errors.push({ path: 'to', message: 'Must be an ISO-8601 UTC instant, e.g. 2026-12-01T23:59:59.999Z' });
  if (from !== undefined && to !== undefined && from > to) errors.push({ path: 'from', message: 'Must not be after to' });
  const limit = params.limit === undefined ? DEFAULT_LIMIT : /^\d{1,3}$/.test(params.limit) ? Number(params.limit) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) errors.push({ path: 'limit', message: `Must be an integer from 1 to ${String(MAX_LIMIT)}` });
  const after = params.cursor === undefined ? undefined : decodeCursor(params.cursor);
  if (params.cursor !== undefined) {
    const inRange = after !== undefined && (from === undefined || after.createdAt >= from) && (to === undefined || after.createdAt <= to);
    if (!after || after.status !== status || !inRange) errors.push({ path: 'cursor', message: 'Invalid cursor: pass the nextCursor of the previous page of the same query' });
  }
  if (errors.length > 0 || status === undefined || !isStatus(status)) return { ok: false, errors };
  return {
    ok: true,
    query: { status, limit, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), ...(after ? { after } : {}) },
  };
}
