import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, type GetCommandInput, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { OrderRecord } from '#domain/order';
import { ORDER_ID_PATTERN } from '#domain/order-ids';
import { verifyUpdateTicket } from '#domain/update-ticket';
import { handler } from '../../../functions/create-order/index';
import { awsServiceError } from '../../support/fakes';
import { orderRecord, orderRequest } from '../../support/orders';
import { type ParsedResponse, createOrderEvent, lambdaContext, parseResponse } from '../helpers/api';

// Module-scope mocks replace `send` on every instance, including the ones create-order built at import.
const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const TICKET_KEY = 'test-ticket-key-0123456789';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderProcessing';

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: TICKET_KEY });
});

async function post(body: unknown, headers: Record<string, string> = {}, apiKeyId: string | null = 'key-a'): Promise<ParsedResponse> {
  return parseResponse(await handler(createOrderEvent(body, headers, { apiKeyId }), lambdaContext('create-order')));
}

/** Items written with PutCommand, in order. */
function putItems(): OrderRecord[] {
  return dynamo.commandCalls(PutCommand).map((call) => call.args[0].input.Item as OrderRecord);
}

function acceptEverything(): void {
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:x`, startDate: new Date() });
}

/** Makes GetCommand return the order as the workflow left it, with the id that was asked for. */
function storedOrderWillBe(overrides: Partial<OrderRecord>): void {
  dynamo.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: orderRecord(orderRequest(), { ...overrides, orderId: String(input.Key?.orderId) }) }));
}

describe('POST /orders (create-order handler)', () => {
  it('returns 202 with a Location under the stage path and the order id, status, total and links', async () => {
    acceptEverything();

    const response = await post(orderRequest());

    expect(response.statusCode).toBe(202);
    const orderId = String(response.body.orderId);
    expect(orderId).toMatch(ORDER_ID_PATTERN);
    expect(response.headers.Location).toBe(`/dev/orders/${orderId}`);
    expect(response.headers['Idempotent-Replayed']).toBeUndefined();
    expect(response.body).toEqual({
      orderId,
      status: 'RECEIVED',
      total: { amount: 2 * 2000 + 1250 + 599, currency: 'USD' },
      links: { self: `/dev/orders/${orderId}`, receipt: `/dev/orders/${orderId}/receipt`, updates: expect.any(String) as unknown },
    });
  });

  it('links the 202 to the WebSocket API with a ticket for this order and the caller that verifies under the secret key', async () => {
    acceptEverything();

    const response = await post(orderRequest());

    const orderId = String(response.body.orderId);
    const updates = new URL((response.body.links as { updates: string }).updates);
    expect(`${updates.origin}${updates.pathname}`).toBe('wss://abc123.execute-api.us-east-1.amazonaws.com/dev');
    expect(updates.searchParams.get('orderId')).toBe(orderId);
    expect(verifyUpdateTicket(TICKET_KEY, updates.searchParams.get('ticket'), Date.now())).toMatchObject({ ok: true, claims: { orderId, ownerApiKeyId: 'key-a' } });
  });

  it('stores the order once, conditionally, as RECEIVED with catalog prices and the caller as owner', async () => {
    acceptEverything();

    const response = await post(orderRequest());

    const calls = dynamo.commandCalls(PutCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({ TableName: 'orders', ConditionExpression: 'attribute_not_exists(orderId)' });
    const [item] = putItems();
    expect(item).toMatchObject({
      orderId: response.body.orderId,
      ownerApiKeyId: 'key-a',
      customerId: 'cust-1001',
      status: 'RECEIVED',
      paymentToken: 'tok_visa',
      lines: [
        { sku: 'TSHIRT-BLK-M', quantity: 2, unitPrice: { amount: 2000, currency: 'USD' }, lineTotal: { amount: 4000, currency: 'USD' } },
        { sku: 'MUG-CERAMIC', quantity: 1, unitPrice: { amount: 1250, currency: 'USD' }, lineTotal: { amount: 1250, currency: 'USD' } },
      ],
      totals: {
        subtotal: { amount: 5250, currency: 'USD' },
        shipping: { amount: 599, currency: 'USD' },
        total: { amount: 5849, currency: 'USD' },
      },
    });
    expect(item?.idempotencyKey).toBeUndefined();
  });

  it('starts one execution named after the order with only {"orderId"} as input', async () => {
    acceptEverything();

    const response = await post(orderRequest());

    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    const input = starts[0]?.args[0].input;
    expect(input?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(input?.name).toBe(response.body.orderId);
    expect(JSON.parse(input?.input ?? '')).toEqual({ orderId: response.body.orderId });
  });

  it('returns 422 naming items.N.sku for an unknown SKU and writes nothing', async () => {
    acceptEverything();

    const response = await post(orderRequest({ items: [{ sku: 'MUG-CERAMIC', quantity: 1 }, { sku: 'GOLD-BAR', quantity: 1 }] }));

    expect(response.statusCode).toBe(422);
    expect(response.body).toEqual({
      message: 'The order cannot be fulfilled as requested',
      errors: [{ path: 'items.1.sku', message: expect.any(String) as unknown }],
    });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('returns 422 naming items.N.quantity for a quantity over the SKU limit', async () => {
    acceptEverything();

    const response = await post(orderRequest({ items: [{ sku: 'HOODIE-GRY-L', quantity: 6 }] }));

    expect(response.statusCode).toBe(422);
    expect(response.body.errors).toEqual([{ path: 'items.0.quantity', message: 'At most 5 units of this SKU per order' }]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('returns 400 with field errors and touches no AWS service for an invalid body', async () => {
    acceptEverything();

    const response = await post({ ...orderRequest(), payment: { token: '4242424242424242' } });

    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'payment.token', message: expect.any(String) as unknown }]);
    expect(dynamo.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns 415 for a non-JSON content type', async () => {
    const response = await post(JSON.stringify(orderRequest()), { 'Content-Type': 'text/plain' });

    expect(response.statusCode).toBe(415);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('returns 403 when the request carries no API key id', async () => {
    acceptEverything();

    const response = await post(orderRequest(), {}, null);

    expect(response).toMatchObject({ statusCode: 403, headers: { 'Content-Type': 'application/json' }, body: { message: 'Forbidden' } });
    expect(dynamo.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  describe('Idempotency-Key', () => {
    const KEY = { 'Idempotency-Key': 'checkout-42' };

    /** Places the order once for real and then makes the table behave as if it holds it. */
    async function placeFirst(body: unknown): Promise<{ response: ParsedResponse; stored: OrderRecord }> {
      acceptEverything();
      const response = await post(body, KEY);
      const [stored] = putItems();
      if (!stored) throw new Error('first request stored nothing');
      dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }));
      dynamo.on(GetCommand).resolves({ Item: stored });
      return { response, stored };
    }

    it('derives the order id from the key, so the same key and body replay the same order', async () => {
      const { response: first, stored } = await placeFirst(orderRequest());
      expect(stored.idempotencyKey).toBe('checkout-42');

      const replay = await post(orderRequest(), KEY);

      expect(first.statusCode).toBe(202);
      expect(replay.statusCode).toBe(202);
      expect(replay.body.orderId).toBe(first.body.orderId);
      expect(replay.headers.Location).toBe(first.headers.Location);
      expect(replay.headers['Idempotent-Replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ Key: { orderId: first.body.orderId }, ConsistentRead: true });
    });

    it('restarts the workflow under the same execution name when a replayed order is still RECEIVED', async () => {
      const { response: first } = await placeFirst(orderRequest());

      await post(orderRequest(), KEY);

      expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name)).toEqual([first.body.orderId, first.body.orderId]);
    });

    it('does not start another execution when the replayed order is already under way', async () => {
      const { stored } = await placeFirst(orderRequest());
      dynamo.on(GetCommand).resolves({ Item: { ...stored, status: 'SHIPPED' } });

      const replay = await post(orderRequest(), KEY);

      expect(replay.statusCode).toBe(202);
      expect(replay.body.status).toBe('SHIPPED');
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    });

    it('returns 409 when the Idempotency-Key was used with a different body', async () => {
      await placeFirst(orderRequest());

      const conflict = await post(orderRequest({ items: [{ sku: 'MUG-CERAMIC', quantity: 3 }] }), KEY);

      expect(conflict.statusCode).toBe(409);
      expect(conflict.body).toEqual({ message: 'This Idempotency-Key was already used with a different request body' });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    });

    it('gives another API key using the same Idempotency-Key its own order', async () => {
      const { response: first } = await placeFirst(orderRequest());
      dynamo.on(PutCommand).resolves({});

      const other = await post(orderRequest(), KEY, 'key-b');

      expect(other.statusCode).toBe(202);
      expect(other.body.orderId).not.toBe(first.body.orderId);
    });
  });

  describe('when Step Functions cannot start the execution', () => {
    beforeEach(() => {
      acceptEverything();
      sfn.on(StartExecutionCommand).rejects(awsServiceError('ServiceUnavailable', 503));
    });

    it('returns 503 and marks an order without an Idempotency-Key FAILED', async () => {
      const response = await post(orderRequest());

      expect(response.statusCode).toBe(503);
      expect(response.body.message).toMatch(/could not be submitted/);
      const [stored] = putItems();
      const updates = dynamo.commandCalls(UpdateCommand);
      expect(updates).toHaveLength(1);
      expect(updates[0]?.args[0].input).toMatchObject({
        TableName: 'orders',
        Key: { orderId: stored?.orderId },
        ConditionExpression: '#status = :received',
        ExpressionAttributeValues: { ':failed': 'FAILED', ':failure': { code: 'SUBMISSION_FAILED' } },
      });
    });

    it('returns 503 and leaves an order with an Idempotency-Key RECEIVED so a retry can restart it', async () => {
      const response = await post(orderRequest(), { 'Idempotency-Key': 'checkout-503' });

      expect(response.statusCode).toBe(503);
      expect(response.body.message).toMatch(/retry with the same Idempotency-Key/);
      expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    });
  });

  it('returns 503 with Retry-After, without internal details, when DynamoDB is unavailable', async () => {
    dynamo.on(PutCommand).rejects(awsServiceError('InternalServerError', 500, 'table orders is on fire'));

    const response = await post(orderRequest());

    expect(response.statusCode).toBe(503);
    expect(response.headers['Retry-After']).toBe('1');
    expect(JSON.stringify(response.body)).not.toContain('on fire');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('returns 500 without internal details for a non-retryable failure', async () => {
    dynamo.on(PutCommand).rejects(awsServiceError('AccessDeniedException', 400, 'role lacks dynamodb:PutItem on orders'));

    const response = await post(orderRequest());

    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({ message: 'Internal server error' });
    expect(sfn.calls()).toHaveLength(0);
  });

  describe('Prefer: wait', () => {
    it('returns 200 with the order view when the order completes within the wait', async () => {
      acceptEverything();
      storedOrderWillBe({ status: 'COMPLETED', receipt: { status: 'AVAILABLE', htmlKey: 'h' } });

      const response = await post(orderRequest(), { Prefer: 'wait=5' });

      expect(response.statusCode).toBe(200);
      expect(response.headers['Preference-Applied']).toBe('wait=5');
      const orderId = String(response.body.orderId);
      expect(response.headers.Location).toBe(`/dev/orders/${orderId}`);
      expect(response.body).toMatchObject({
        orderId,
        status: 'COMPLETED',
        receipt: { available: true, status: 'AVAILABLE' },
        links: { self: `/dev/orders/${orderId}`, receipt: `/dev/orders/${orderId}/receipt` },
      });
      expect(response.body).not.toHaveProperty('paymentToken');
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({ orderId });
    });

    it('returns 422 with the failure message and the view when the order fails within the wait', async () => {
      acceptEverything();
      const failure = { code: 'PaymentDeclined', message: 'The payment was declined.', step: 'Authorize Payment' as const };
      storedOrderWillBe({ status: 'FAILED', failure });

      const response = await post(orderRequest(), { Prefer: 'wait=5' });

      expect(response.statusCode).toBe(422);
      expect(response.headers['Preference-Applied']).toBe('wait=5');
      expect(response.body).toMatchObject({ message: failure.message, status: 'FAILED', failure });
    });

    it('does not read the order back when no wait is asked for', async () => {
      acceptEverything();

      expect((await post(orderRequest())).statusCode).toBe(202);
      expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
    });
  });
});
