import type { DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeDomainEvents } from '#adapters/eventbridge-domain-events';
import { connectionPushFromEnv, orderSubscriptionsFromEnv, ordersBasePathFromEnv } from '#adapters/realtime-from-env';
import { eventBridge } from '#platform/aws-clients';
import { requireEnv } from '#platform/config';
import { MetricUnit, metrics } from '#platform/powertools';
import { instrumented } from '#platform/tracing';
import { type OrderViewPushMetrics, orderViewPushConsumer } from './order-view-push';
import { type DomainEventMetrics, type OrderChangeConsumer, domainEventsConsumer, publishOrderChanges } from './publish-order-changes';

const eventMetrics: DomainEventMetrics = {
  published: (events) => metrics.addMetric('DomainEventsPublished', MetricUnit.Count, events.length),
  failed: (code) => {
    const single = metrics.singleMetric();
    single.addDimension('code', code);
    single.addMetric('DomainEventsFailed', MetricUnit.Count, 1);
  },
};

const pushMetrics: OrderViewPushMetrics = {
  pushed: (summary) => {
    metrics.addMetric('OrderViewsPushed', MetricUnit.Count, summary.sent);
    if (summary.gone > 0) metrics.addMetric('GoneConnections', MetricUnit.Count, summary.gone);
  },
  failed: () => metrics.addMetric('OrderViewPushFailed', MetricUnit.Count, 1),
};

const consumers: OrderChangeConsumer[] = [
  domainEventsConsumer(new EventBridgeDomainEvents(eventBridge(), requireEnv('EVENT_BUS_NAME'), requireEnv('EVENT_SOURCE')), eventMetrics),
  orderViewPushConsumer({ subscriptions: orderSubscriptionsFromEnv(), push: connectionPushFromEnv(), ordersBasePath: ordersBasePathFromEnv() }, pushMetrics),
];

/** The orders table's stream → domain events on the bus, and each change's order view to its WebSocket subscribers. Thin: the logic lives beside it in publish-order-changes.ts. */
export const handler = instrumented(
  () => ({}),
  (event: DynamoDBStreamEvent) => publishOrderChanges(event.Records, consumers),
);
