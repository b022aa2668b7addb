import { createHash, randomUUID } from 'node:crypto';

/** Order ids double as Step Functions execution names (≤ 80 chars, no spaces or punctuation). */
export const ORDER_ID_PATTERN = /^ord_[0-9a-f]{32}$/;

/**
 * A new order id. With an Idempotency-Key the id is derived from (API key, idempotency key), so
 * concurrent duplicates collide on one DynamoDB item and one execution name instead of racing.
 */
export function newOrderId(apiKeyId: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return `ord_${randomUUID().replaceAll('-', '')}`;
  return `ord_${sha256(`${apiKeyId}\u0000${idempotencyKey}`).slice(0, 32)}`;
}

/** Hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
