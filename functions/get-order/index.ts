import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { dynamoDb } from '../shared/aws-clients';
import { requireEnv } from '../shared/config';
import { FORBIDDEN, callerKeyId, internalError, json, orderIdParameter, ordersBasePath, pathOrderId, problem } from '../shared/http';
import { DynamoDbOrderRepository, type OrderRepository } from '../shared/orders/order-repository';
import { toOrderView } from '../shared/orders/order-view';
import { instrumented } from '../shared/tracing';

const orders = new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME'));

/** GET /orders/{orderId}: the live order view from DynamoDB. Other API keys get 404. */
export async function getOrder(repository: Pick<OrderRepository, 'get'>, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const apiKeyId = callerKeyId(event);
  if (!apiKeyId) return FORBIDDEN;
  const id = orderIdParameter(event);
  if (!id.ok) return id.response;
  try {
    const order = await repository.get(id.orderId);
    if (!order || order.ownerApiKeyId !== apiKeyId) return problem(404, 'Order not found');
    return json(200, toOrderView(order, ordersBasePath(event)));
  } catch (error) {
    return internalError(error);
  }
}

export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getOrder(orders, event),
);
