import type { APIGatewayProxyEvent } from 'aws-lambda';
import { orderRepositoryFromEnv, orderWorkflowFromEnv } from '#adapters/from-env';
import { updatesLinksFromEnv } from '#adapters/realtime-from-env';
import { powertoolsBusinessMetrics } from '#adapters/powertools-business-metrics';
import { apiSettingsFromEnv } from '#api/endpoint';
import { instrumented } from '#platform/tracing';
import { type CreateOrderDependencies, createOrder } from './create-order';

const dependencies: CreateOrderDependencies = {
  api: apiSettingsFromEnv(),
  orders: orderRepositoryFromEnv(),
  workflow: orderWorkflowFromEnv(),
  metrics: powertoolsBusinessMetrics,
  now: () => new Date(),
  updates: updatesLinksFromEnv(),
};

/** POST /orders. Thin: the endpoint lives beside it in create-order.ts. */
export const handler = instrumented(
  () => ({}),
  (event: APIGatewayProxyEvent) => createOrder(dependencies, event),
);
