import type { OrderEvent } from '#domain/order-events';

/** How far a publish got: the leading events that are on the bus, and why the next one is not. */
export interface PublishOutcome {
  /** Events [0, published) are published. Later ones may be too, and are published again on retry (same eventId). */
  published: number;
  failure?: { code: string; message: string; retryable: boolean };
}

/** Publishes domain events, in order, to the integration bus. */
export interface DomainEventPublisher {
  /**
   * Publishes the events in the order given and stops at the first one it cannot publish, so a
   * retry from there never puts a later event of an order on the bus before an earlier one.
   */
  publish(events: readonly OrderEvent[]): Promise<PublishOutcome>;
}
