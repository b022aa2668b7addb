import type { APIGatewayProxyEvent } from 'aws-lambda';
import { orderRepositoryFromEnv, receiptStoreFromEnv } from '../shared/adapters/from-env';
import { apiSettingsFromEnv } from '../shared/api/endpoint';
import { pathOrderId } from '../shared/api/http';
import { requireIntEnv } from '../shared/platform/config';
import { instrumented } from '../shared/platform/tracing';
import { type GetReceiptDependencies, getReceipt } from './get-receipt';

const dependencies: GetReceiptDependencies = {
  api: apiSettingsFromEnv(),
  orders: orderRepositoryFromEnv(),
  receipts: receiptStoreFromEnv(),
  linkTtlSeconds: requireIntEnv('RECEIPT_LINK_TTL_SECONDS', 1, 300),
  now: () => new Date(),
};

/** GET /orders/{orderId}/receipt. Thin: the endpoint lives beside it in get-receipt.ts, its rules in receipt-links.ts. */
export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getReceipt(dependencies, event),
);
