import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { OrderRecord } from '#domain/order';
import { buildReceiptJson } from '#domain/receipt';
import { handler } from '../../../functions/get-receipt/index';
import { orderRecord, orderRequest } from '../../support/orders';
import { OTHER_KEY, type ParsedResponse, lambdaContext, orderEvent, parseResponse } from '../helpers/api';

// Only DynamoDB is mocked: presigning S3 URLs is local computation with the test credentials.
const dynamo = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  dynamo.reset();
});

function completedWithReceipt(): OrderRecord {
  const base = orderRecord();
  return orderRecord(orderRequest(), {
    orderId: base.orderId,
    status: 'COMPLETED',
    receipt: { status: 'AVAILABLE', htmlKey: `receipts/${base.orderId}/receipt.html`, issuedAt: '2026-11-25T10:00:09.000Z' },
  });
}

async function getReceipt(order: OrderRecord, apiKeyId?: string): Promise<ParsedResponse> {
  dynamo.on(GetCommand, { Key: { orderId: order.orderId } }).resolves({ Item: order });
  const event = orderEvent(order.orderId, { receipt: true, ...(apiKeyId === undefined ? {} : { apiKeyId }) });
  return parseResponse(await handler(event, lambdaContext('get-receipt')));
}

describe('GET /orders/{orderId}/receipt (get-receipt handler)', () => {
  it('returns 409 while the order has no receipt yet, naming the order status', async () => {
    const response = await getReceipt(orderRecord(orderRequest(), { status: 'SHIPPED' }));

    expect(response.statusCode).toBe(409);
    expect(response.body).toEqual({ message: 'The receipt is not available yet (order status SHIPPED)' });
  });

  it('returns 409 saying the team was alerted when receipt generation failed', async () => {
    const response = await getReceipt(orderRecord(orderRequest(), { status: 'COMPLETED', receipt: { status: 'FAILED' } }));

    expect(response.statusCode).toBe(409);
    expect(response.body.message).toMatch(/could not be generated/);
  });

  it('returns 200 with a presigned HTML link that expires after 300 seconds, and the receipt as JSON rendered from the order', async () => {
    const order = completedWithReceipt();
    const before = Date.now();

    const response = await getReceipt(order);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ orderId: order.orderId, contentType: 'text/html' });
    const url = new URL(String(response.body.url));
    expect(url.pathname).toBe(`/receipts/${order.orderId}/receipt.html`);
    expect(url.hostname).toMatch(/^receipts\.s3\./);
    expect(url.protocol).toBe('https:');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(response.body).not.toHaveProperty('jsonUrl');
    // The same document Generate Receipt rendered as HTML: the order's data at the recorded issue instant.
    expect(response.body.document).toEqual(buildReceiptJson(order, new Date('2026-11-25T10:00:09.000Z')));
    expect(String(response.body.url)).toContain('X-Amz-Expires=300');
    const expiresAt = Date.parse(String(response.body.expiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(before + 300_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
  });

  it("returns 404 for another API key's order", async () => {
    const response = await getReceipt(completedWithReceipt(), OTHER_KEY);

    expect(response.statusCode).toBe(404);
    expect(response.body).toEqual({ message: 'Order not found' });
  });

  it('returns 404 for an unknown order', async () => {
    dynamo.on(GetCommand).resolves({});

    const response = parseResponse(await handler(orderEvent(orderRecord().orderId, { receipt: true }), lambdaContext('get-receipt')));

    expect(response.statusCode).toBe(404);
  });

  it('returns 400 for a malformed order id without reading the table', async () => {
    const response = parseResponse(await handler(orderEvent('../x', { receipt: true }), lambdaContext('get-receipt')));

    expect(response.statusCode).toBe(400);
    expect(dynamo.calls()).toHaveLength(0);
  });
});
