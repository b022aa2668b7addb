import type { APIGatewayProxyEvent } from 'aws-lambda';
import { orderRepositoryFromEnv, receiptLinksFromEnv } from '#adapters/from-env';
import { apiSettingsFromEnv } from '#api/endpoint';
import { pathOrderId } from '#api/http';
import { requireIntEnv } from '#platform/config';
import { instrumented } from '#platform/tracing';
import { type GetReceiptDependencies, getReceipt } from './get-receipt';

const dependencies: GetReceiptDependencies = {
  api: apiSettingsFromEnv(),
  orders: orderRepositoryFromEnv(),
  receipts: receiptLinksFromEnv(),
  linkTtlSeconds: requireIntEnv('RECEIPT_LINK_TTL_SECONDS', 1, 300),
  now: () => new Date(),
};

/** GET /orders/{orderId}/receipt. Thin: the endpoint lives beside it in get-receipt.ts, its rules in receipt-links.ts. */
export const handler = instrumented(
  (event: APIGatewayProxyEvent) => ({ orderId: pathOrderId(event) }),
  (event: APIGatewayProxyEvent) => getReceipt(dependencies, event),
);
