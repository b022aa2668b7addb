import type { APIGatewayProxyEvent } from 'aws-lambda';
import { dynamoDb } from '../shared/aws-clients';
import { requireEnv } from '../shared/config';
import { type OrderEndpointDependencies, apiSettingsFromEnv } from '../shared/endpoint';
import { pathOrderId } from '../shared/http';
import { DynamoDbOrderRepository } from '../shared/orders/order-repository';
import { instrumented } from '../shared/tracing';
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
