import type { APIGatewayProxyEvent } from 'aws-lambda';
import { dynamoDb, s3 } from '../shared/platform/aws-clients';
import { requireEnv, requireIntEnv } from '../shared/platform/config';
import { apiSettingsFromEnv } from '../shared/api/endpoint';
import { pathOrderId } from '../shared/api/http';
import { DynamoDbOrderRepository } from '../shared/ports/order-repository';
import { S3ReceiptStore } from '../shared/ports/receipt-store';
import { instrumented } from '../shared/platform/tracing';
import { type GetReceiptDependencies, getReceipt } from './get-receipt';

const dependencies: GetReceiptDependencies = {
  api: apiSettingsFromEnv(),
  orders: new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME')),
  receipts: new S3ReceiptStore(s3(), requireEnv('RECEIPTS_BUCKET_NAME')),
  linkTtlSeconds: requireIntEnv('RECEIPT_LINK_TTL_SECONDS', 1, 300),
  now: () => new Date(),
};

/** GET /orders/{orderId}/receipt. Thin: the endpoint lives beside it in get-receipt.ts, its rules in receipt-links.ts. */
export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getReceipt(dependencies, event),
);
