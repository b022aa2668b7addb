import type { DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeDomainEvents } from '#adapters/eventbridge-domain-events';
import { eventBridge } from '#platform/aws-clients';
import { requireEnv } from '#platform/config';
import { MetricUnit, metrics } from '#platform/powertools';
import { instrumented } from '#platform/tracing';
import { type DomainEventMetrics, type OrderChangeConsumer, domainEventsConsumer, publishOrderChanges } from './publish-order-changes';

const eventMetrics: DomainEventMetrics = {
  published: (events) => metrics.addMetric('DomainEventsPublished', MetricUnit.Count, events.length),
  failed: (code) => {
    const single = metrics.singleMetric();
    single.addDimension('code', code);
    single.addMetric('DomainEventsFailed', MetricUnit.Count, 1);
  },
};

const consumers: OrderChangeConsumer[] = [
  domainEventsConsumer(new EventBridgeDomainEvents(eventBridge(), requireEnv('EVENT_BUS_NAME'), requireEnv('EVENT_SOURCE')), eventMetrics),
];

/** The orders table's stream → domain events on the bus. Thin: the logic lives beside it in publish-order-changes.ts. */
export const handler = instrumented(
  () => ({}),
  (event: DynamoDBStreamEvent) => publishOrderChanges(event.Records, consumers),
);
