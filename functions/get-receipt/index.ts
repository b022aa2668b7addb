import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { dynamoDb, s3 } from '../shared/aws-clients';
import { requireEnv, requireIntEnv } from '../shared/config';
import { FORBIDDEN, callerKeyId, internalError, json, orderIdParameter, pathOrderId, problem } from '../shared/http';
import { DynamoDbOrderRepository, type OrderRepository } from '../shared/orders/order-repository';
import { instrumented } from '../shared/tracing';
import { type ReceiptStore, S3ReceiptStore } from '../shared/receipts/receipt-store';

export interface GetReceiptDependencies {
  orders: Pick<OrderRepository, 'get'>;
  receipts: Pick<ReceiptStore, 'linkTo'>;
  linkTtlSeconds: number;
  now: () => Date;
}

const dependencies: GetReceiptDependencies = {
  orders: new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME')),
  receipts: new S3ReceiptStore(s3(), requireEnv('RECEIPTS_BUCKET_NAME')),
  linkTtlSeconds: requireIntEnv('RECEIPT_LINK_TTL_SECONDS', 1, 300),
  now: () => new Date(),
};

/** GET /orders/{orderId}/receipt: short-lived presigned links to the receipt, 409 until it exists. */
export async function getReceipt(deps: GetReceiptDependencies, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const apiKeyId = callerKeyId(event);
  if (!apiKeyId) return FORBIDDEN;
  const id = orderIdParameter(event);
  if (!id.ok) return id.response;
  try {
    const order = await deps.orders.get(id.orderId);
    if (!order || order.ownerApiKeyId !== apiKeyId) return problem(404, 'Order not found');
    const receipt = order.receipt;
    if (receipt?.status !== 'AVAILABLE' || !receipt.htmlKey || !receipt.jsonKey) {
      const message =
        receipt?.status === 'FAILED'
          ? 'The receipt could not be generated; our team has been alerted'
          : `The receipt is not available yet (order status ${order.status})`;
      return problem(409, message);
    }
    const [url, jsonUrl] = await Promise.all([
      deps.receipts.linkTo(receipt.htmlKey, deps.linkTtlSeconds),
      deps.receipts.linkTo(receipt.jsonKey, deps.linkTtlSeconds),
    ]);
    const expiresAt = new Date(deps.now().getTime() + deps.linkTtlSeconds * 1000).toISOString();
    return json(200, { orderId: order.orderId, url, jsonUrl, contentType: 'text/html', expiresAt });
  } catch (error) {
    return internalError(error);
  }
}

export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getReceipt(dependencies, event),
);
