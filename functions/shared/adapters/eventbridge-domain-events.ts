import { PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TransientError, describeError } from '#domain/errors';
import type { OrderEvent } from '#domain/order-events';
import { classifyDependencyError } from '#platform/dependency-errors';
import type { DomainEventPublisher, PublishOutcome } from '#ports/domain-events';

/** PutEvents quotas: at most 10 entries, and 256 KB in all, per request. */
export const MAX_ENTRIES_PER_REQUEST = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

/** The one call this adapter makes; the SDK client satisfies it, and tests pass a fake. */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/** Entry error codes worth retrying besides throttling (PutEventsResultEntry.ErrorCode). */
const RETRYABLE_ENTRY_CODES = new Set(['InternalFailure', 'InternalException', 'ServiceUnavailable']);

/**
 * An entry's size as EventBridge counts it: Time is 14 bytes, Source, DetailType, Detail and
 * each resource their UTF-8 bytes (docs: "Calculating PutEvents event entry size").
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (entry.Time ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0);
}

/**
 * Splits entries, in order, into requests within the quotas. A request also holds at most one
 * event per order: when an entry fails while later entries of its request succeed, those later
 * ones must belong to other orders, or an order's events would reach the bus out of order.
 */
export function chunkEntries<T>(items: readonly T[], entryOf: (item: T) => { entry: PutEventsRequestEntry; orderId: string }): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  let orders = new Set<string>();
  for (const item of items) {
    const { entry, orderId } = entryOf(item);
    const size = entrySize(entry);
    if (current.length > 0 && (current.length === MAX_ENTRIES_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES || orders.has(orderId))) {
      chunks.push(current);
      current = [];
      bytes = 0;
      orders = new Set();
    }
    current.push(item);
    bytes += size;
    orders.add(orderId);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Domain events on an EventBridge bus, with PutEvents. */
export class EventBridgeDomainEvents implements DomainEventPublisher {
  constructor(
    private readonly client: PutEventsClient,
    private readonly eventBusName: string,
    private readonly source: string,
  ) {}

  toEntry(event: OrderEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: this.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.time),
    };
  }

  async publish(events: readonly OrderEvent[]): Promise<PublishOutcome> {
    const entries = events.map((event) => ({ entry: this.toEntry(event), orderId: event.detail.orderId }));
    let published = 0;
    for (const chunk of chunkEntries(entries, (item) => item)) {
      const tooLarge = chunk.find((item) => entrySize(item.entry) > MAX_REQUEST_BYTES);
      if (tooLarge) {
        return { published, failure: { code: 'EntryTooLarge', message: `A ${String(tooLarge.entry.DetailType)} event exceeds 256 KB`, retryable: false } };
      }
      let output: PutEventsCommandOutput;
      try {
        output = await this.client.send(new PutEventsCommand({ Entries: chunk.map((item) => item.entry) }));
      } catch (raw) {
        const error = classifyDependencyError(raw);
        const { name, message } = describeError(error);
        return { published, failure: { code: name, message, retryable: error instanceof TransientError } };
      }
      if ((output.FailedEntryCount ?? 0) > 0) {
        // Results are positional: the i-th result answers the i-th entry.
        const results = output.Entries ?? [];
        const index = chunk.findIndex((_, i) => results[i]?.ErrorCode !== undefined || results[i]?.EventId === undefined);
        const result = results[index];
        const code = result?.ErrorCode ?? 'UnknownEntryFailure';
        const classified = classifyDependencyError(Object.assign(new Error(result?.ErrorMessage ?? code), { name: code }));
        return {
          published: published + Math.max(index, 0),
          failure: { code, message: result?.ErrorMessage ?? code, retryable: classified instanceof TransientError || RETRYABLE_ENTRY_CODES.has(code) },
        };
      }
      published += chunk.length;
    }
    return { published };
  }
}
