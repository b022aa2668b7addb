import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { describeError } from '#domain/errors';
import { type OrderChange, type OrderEvent, orderEvents } from '#domain/order-events';
import { logger } from '#platform/powertools';
import type { DomainEventPublisher } from '#ports/domain-events';
import { orderChangesOf } from './stream-records';

/**
 * Something done for every order change, in stream order: publishing domain events, pushing the
 * order view to subscribers. A consumer handles a leading run of the changes and says how long it
 * is; it must not handle a change of an order after one of that order it could not handle.
 */
export interface OrderChangeConsumer {
  readonly name: string;
  consume(changes: readonly OrderChange[]): Promise<number>;
}

/**
 * Runs the consumers over the changes, one after the other, each on the changes every consumer
 * before it handled, and returns how many leading changes all of them handled. A change that one
 * consumer could not handle is retried for all (so a retry repeats some work of the others:
 * events keep their eventId, a pushed view is the same view again), and nothing after it runs
 * before it: that keeps each order's changes in order.
 */
export async function handleOrderChanges(changes: readonly OrderChange[], consumers: readonly OrderChangeConsumer[]): Promise<number> {
  let handled = changes.length;
  for (const consumer of consumers) {
    if (handled === 0) break;
    const count = await consumer.consume(changes.slice(0, handled));
    if (count < handled) {
      const failed = changes[count];
      logger.warn('Order change not handled; it and every later change of the batch will be retried', {
        consumer: consumer.name,
        orderId: failed?.newOrder?.orderId ?? failed?.oldOrder?.orderId,
      });
      handled = count;
    }
  }
  return handled;
}

/** Counts for the domain-events consumer, as a port so tests can record them. */
export interface DomainEventMetrics {
  published(events: readonly OrderEvent[]): void;
  failed(code: string): void;
}

/** The consumer that publishes each change's domain events, in order, through the publisher. */
export function domainEventsConsumer(publisher: DomainEventPublisher, metrics: DomainEventMetrics): OrderChangeConsumer {
  return {
    name: 'domain-events',
    async consume(changes) {
      const events: OrderEvent[] = [];
      /** ends[i]: how many events the first i + 1 changes yield. */
      const ends: number[] = [];
      let computable = changes.length;
      for (const [index, change] of changes.entries()) {
        const orderId = change.newOrder?.orderId ?? change.oldOrder?.orderId;
        logger.appendKeys({ orderId });
        try {
          const yielded = orderEvents(change);
          logger.info('Order change', { status: change.newOrder?.status ?? null, events: yielded.map((event) => event.detailType) });
          events.push(...yielded);
          ends.push(events.length);
        } catch (error) {
          // A record that breaks the contract blocks its shard until retries run out, then goes to the DLQ: never dropped.
          logger.error('Order change cannot be mapped to events', { error: describeError(error) });
          metrics.failed('UnmappableChange');
          computable = index;
          break;
        }
      }
      const outcome = await publisher.publish(events);
      const publishedEvents = events.slice(0, outcome.published);
      if (publishedEvents.length > 0) metrics.published(publishedEvents);
      if (outcome.failure) {
        metrics.failed(outcome.failure.code);
        logger.warn('Publishing domain events failed', { ...outcome.failure, orderId: events[outcome.published]?.detail.orderId });
      }
      // A change is handled when every event it yields is published.
      const handled = ends.findIndex((end) => end > outcome.published);
      return Math.min(handled === -1 ? ends.length : handled, computable);
    },
  };
}

/**
 * The stream batch → consumers → partial batch response. Records from the first unhandled order
 * change onward are reported, so Lambda retries from there (and bisects, and finally sends them to
 * the on-failure destination) while the order of every order's changes holds.
 */
export async function publishOrderChanges(records: readonly DynamoDBRecord[], consumers: readonly OrderChangeConsumer[]): Promise<DynamoDBBatchResponse> {
  const changes = orderChangesOf(records);
  logger.info('Stream batch', { records: records.length, orderChanges: changes.length });
  const handled = await handleOrderChanges(changes, consumers);
  const firstFailed = changes[handled];
  if (!firstFailed) return { batchItemFailures: [] };
  return {
    batchItemFailures: records.slice(firstFailed.recordIndex).flatMap((record) => {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      return sequenceNumber === undefined ? [] : [{ itemIdentifier: sequenceNumber }];
    }),
  };
}
