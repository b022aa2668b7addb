import type { APIGatewayProxyEvent } from 'aws-lambda';
import { dynamoDb } from '../shared/platform/aws-clients';
import { requireEnv } from '../shared/platform/config';
import { type OrderEndpointDependencies, apiSettingsFromEnv } from '../shared/api/endpoint';
import { pathOrderId } from '../shared/api/http';
import { DynamoDbOrderRepository } from '../shared/ports/order-repository';
import { instrumented } from '../shared/platform/tracing';
import { getOrder } from './get-order';

const dependencies: OrderEndpointDependencies = {
  api: apiSettingsFromEnv(),
  orders: new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME')),
};

/** GET /orders/{orderId}. Thin: the endpoint lives beside it in get-order.ts. */
export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getOrder(dependencies, event),
);
