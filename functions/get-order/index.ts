import type { APIGatewayProxyEvent } from 'aws-lambda';
import { orderRepositoryFromEnv } from '#adapters/from-env';
import { type OrderEndpointDependencies, apiSettingsFromEnv } from '#api/endpoint';
import { pathOrderId } from '#api/http';
import { instrumented } from '#platform/tracing';
import { getOrder } from './get-order';

const dependencies: OrderEndpointDependencies = {
  api: apiSettingsFromEnv(),
  orders: orderRepositoryFromEnv(),
};

/** GET /orders/{orderId}. Thin: the endpoint lives beside it in get-order.ts. */
export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getOrder(dependencies, event),
);
