import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ALL_STEPS, type OrderRecord, type OrderStatus } from '#domain/order';
import type { OrderChange } from '#domain/order-events';
import { ORDER_ID_PATTERN } from '#domain/order-ids';

const STATUSES: ReadonlySet<string> = new Set<OrderStatus>(['RECEIVED', 'PAYMENT_AUTHORIZED', 'SHIPPED', 'PAYMENT_CAPTURED', 'COMPLETED', 'CANCELLING', 'FAILED']);

/**
 * Whether an item is an order. The orders table holds only orders today (one item per order,
 * keyed by orderId), but a stream consumer must not break on an item of another kind written
 * there later (a migration marker, an operator's note): such items are skipped, not published.
 */
export function isOrderRecord(item: Record<string, unknown> | undefined): item is Record<string, unknown> & OrderRecord {
  if (!item) return false;
  const steps = item.steps as Record<string, unknown> | null | undefined;
  return (
    typeof item.orderId === 'string' &&
    ORDER_ID_PATTERN.test(item.orderId) &&
    typeof item.status === 'string' &&
    STATUSES.has(item.status) &&
    typeof item.customerId === 'string' &&
    typeof item.updatedAt === 'string' &&
    typeof item.totals === 'object' &&
    typeof steps === 'object' &&
    steps !== null &&
    ALL_STEPS.every((step) => typeof steps[step] === 'object')
  );
}

function image(raw: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;
}

/** One stream record that is an order write, with its position in the batch. */
export interface StreamOrderChange extends OrderChange {
  recordIndex: number;
  orderId: string;
}

/** The order writes in a batch of stream records, in stream order; other items and deletes-of-nothing are left out. */
export function orderChangesOf(records: readonly DynamoDBRecord[]): StreamOrderChange[] {
  return records.flatMap((record, recordIndex) => {
    const oldImage = image(record.dynamodb?.OldImage);
    const newImage = image(record.dynamodb?.NewImage);
    const oldOrder = isOrderRecord(oldImage) ? oldImage : undefined;
    const newOrder = isOrderRecord(newImage) ? newImage : undefined;
    const orderId = newOrder?.orderId ?? oldOrder?.orderId;
    if (orderId === undefined) return [];
    return [{ recordIndex, orderId, ...(oldOrder ? { oldOrder } : {}), ...(newOrder ? { newOrder } : {}) }];
  });
}
