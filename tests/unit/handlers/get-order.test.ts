import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { verifyUpdateTicket } from '#domain/update-ticket';
import { handler } from '../../../functions/get-order/index';
import { awsServiceError } from '../../support/fakes';
import { orderRecord } from '../../support/orders';
import { OTHER_KEY, type ParsedResponse, lambdaContext, orderEvent, parseResponse } from '../helpers/api';

const dynamo = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);

beforeEach(() => {
  dynamo.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'get-order-ticket-key' });
});

async function get(orderId: string, apiKeyId?: string | null): Promise<ParsedResponse> {
  return parseResponse(await handler(orderEvent(orderId, apiKeyId === undefined ? {} : { apiKeyId }), lambdaContext('get-order')));
}

describe('GET /orders/{orderId} (get-order handler)', () => {
  it('returns 200 with the order view to the API key that created the order', async () => {
    const order = orderRecord(); // owned by key-a, the default caller
    dynamo.on(GetCommand, { TableName: 'orders', Key: { orderId: order.orderId } }).resolves({ Item: order });

    const response = await get(order.orderId);

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    expect(response.body).toMatchObject({
      orderId: order.orderId,
      status: 'RECEIVED',
      total: { amount: 5849, currency: 'USD' },
      links: { self: `/dev/orders/${order.orderId}`, receipt: `/dev/orders/${order.orderId}/receipt`, updates: expect.stringMatching(/^wss:\/\//) as unknown },
    });
    const ticket = new URL((response.body.links as { updates: string }).updates).searchParams.get('ticket');
    expect(verifyUpdateTicket('get-order-ticket-key', ticket, Date.now())).toMatchObject({ ok: true, claims: { orderId: order.orderId, ownerApiKeyId: 'key-a' } });
    expect(response.body).not.toHaveProperty('paymentToken');
    expect(response.body).not.toHaveProperty('ownerApiKeyId');
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it("returns 404, not 403, for another API key's order so its existence is not revealed", async () => {
    const order = orderRecord();
    dynamo.on(GetCommand).resolves({ Item: order });

    const response = await get(order.orderId, OTHER_KEY);

    expect(response.statusCode).toBe(404);
    expect(response.body).toEqual({ message: 'Order not found' });
  });

  it('returns 404 for an unknown order id', async () => {
    dynamo.on(GetCommand).resolves({});

    const response = await get(orderRecord().orderId);

    expect(response.statusCode).toBe(404);
    expect(response.body).toEqual({ message: 'Order not found' });
  });

  it.each(['../x', 'ord_123', `ORD_${'a'.repeat(32)}`, `ord_${'g'.repeat(32)}`, `ord_${'a'.repeat(33)}`])(
    'returns 400 naming orderId for the malformed id %j without reading the table',
    async (orderId) => {
      const response = await get(orderId);

      expect(response.statusCode).toBe(400);
      expect(response.body).toEqual({ message: 'Invalid order id', errors: [{ path: 'orderId', message: expect.any(String) as unknown }] });
      expect(dynamo.calls()).toHaveLength(0);
    },
  );

  it('returns 403 when the request carries no API key id', async () => {
    const response = await get(orderRecord().orderId, null);

    expect(response.statusCode).toBe(403);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('returns 503 without details when DynamoDB is unavailable, and 500 for other failures', async () => {
    dynamo.on(GetCommand).rejects(awsServiceError('InternalServerError', 500, 'secret detail'));
    const unavailable = await get(orderRecord().orderId);
    expect(unavailable).toMatchObject({ statusCode: 503, body: { message: 'Service temporarily unavailable; retry shortly' } });

    dynamo.on(GetCommand).rejects(awsServiceError('AccessDeniedException', 400, 'secret detail'));
    const denied = await get(orderRecord().orderId);
    expect(denied).toMatchObject({ statusCode: 500, body: { message: 'Internal server error' } });
  });
});
