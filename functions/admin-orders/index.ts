import type { APIGatewayProxyEvent } from 'aws-lambda';
import { orderExecutionsFromEnv, orderListingFromEnv, orderRepositoryFromEnv } from '#adapters/from-env';
import { apiSettingsFromEnv } from '#api/endpoint';
import { pathOrderId } from '#api/http';
import { instrumented } from '#platform/tracing';
import { type AdminOrdersDependencies, adminOrders } from './admin-orders';

const dependencies: AdminOrdersDependencies = {
  api: apiSettingsFromEnv(),
  orders: orderRepositoryFromEnv(),
  listing: orderListingFromEnv(),
  executions: orderExecutionsFromEnv(),
};

/** The operator routes (GET /admin/orders, GET /admin/orders/{orderId}, POST …/retry). Thin: the endpoints live in admin-orders.ts. */
export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => adminOrders(dependencies, event),
);
