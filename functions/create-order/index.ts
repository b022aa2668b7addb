import type { APIGatewayProxyEvent } from 'aws-lambda';
import { orderRepositoryFromEnv, orderWorkflowFromEnv } from '../shared/adapters/from-env';
import { powertoolsBusinessMetrics } from '../shared/adapters/powertools-business-metrics';
import { apiSettingsFromEnv } from '../shared/api/endpoint';
import { instrumented } from '../shared/platform/tracing';
import { type CreateOrderDependencies, createOrder } from './create-order';

const dependencies: CreateOrderDependencies = {
  api: apiSettingsFromEnv(),
  orders: orderRepositoryFromEnv(),
  workflow: orderWorkflowFromEnv(),
  metrics: powertoolsBusinessMetrics,
  now: () => new Date(),
};

/** POST /orders. Thin: the endpoint lives beside it in create-order.ts. */
export const handler = instrumented(
  () => ({}),
  (event: APIGatewayProxyEvent) => createOrder(dependencies, event),
);
