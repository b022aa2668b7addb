import type { APIGatewayProxyEvent } from 'aws-lambda';
import { orderRepositoryFromEnv } from '#adapters/from-env';
import { updatesLinksFromEnv } from '#adapters/realtime-from-env';
import { apiSettingsFromEnv } from '#api/endpoint';
import { pathOrderId } from '#api/http';
import { instrumented } from '#platform/tracing';
import { type GetOrderDependencies, getOrder } from './get-order';

const dependencies: GetOrderDependencies = {
  api: apiSettingsFromEnv(),
  orders: orderRepositoryFromEnv(),
  updates: updatesLinksFromEnv(),
};

/** GET /orders/{orderId}. Thin: the endpoint lives beside it in get-order.ts. */
export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getOrder(dependencies, event),
);
