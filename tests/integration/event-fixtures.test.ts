import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDbOrderRepository } from '#adapters/dynamodb-order-repository';
import { type LocalDynamo, startDynamo } from '../support/dynalite';
import { lambdaContext } from '../support/lambda-context';
import { orderRecord } from '../support/orders';
import { type LocalS3, S3RVER_CREDENTIALS, startS3 } from '../support/s3rver';
import { ROOT } from '../support/template';

/*
 * Runs every events/<function>.json fixture through that function's exported handler, with the
 * handler's unchanged SDK clients pointed at dynalite and s3rver by AWS_ENDPOINT_URL_* variables.
 * Only StartExecution is mocked; tests/integration/local-invoke.test.ts runs the same fixtures
 * through npm run invoke against the whole local runtime.
 */

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;
let s3: LocalS3;
let orders: DynamoDbOrderRepository;

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'events', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

const FIXTURE_ORDER_ID = fixture('authorize-payment').orderId as string;
/** The compensation fixtures name the second order (events/create-order-capture-declined.json). */
const COMPENSATED_ORDER_ID = fixture('cancel-shipment').orderId as string;
const FIXTURE_KEY_ID = (fixture('get-order').requestContext as APIGatewayProxyEvent['requestContext']).identity.apiKeyId ?? '';

async function invoke(name: string, event: unknown = fixture(name)): Promise<unknown> {
  const module = (await import(`../../functions/${name}/index`)) as { handler: Handler };
  return module.handler(event, lambdaContext(name));
}

async function invokeApi(name: string, event: unknown = fixture(name)): Promise<{ statusCode: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const response = (await invoke(name, event)) as APIGatewayProxyResult;
  return { statusCode: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown>, headers: response.headers ?? {} };
}

/** Replaces a fixture order (and its ledger entries) with a fresh one. */
async function seedFixtureOrder(orderId = FIXTURE_ORDER_ID): Promise<void> {
  for (const [TableName, key] of [
    ['orders', { orderId }],
    ['simulator-ledger', { pk: `payment#${orderId}` }],
    ['simulator-ledger', { pk: `shipment#${orderId}` }],
  ] as const) {
    await dynamo.documentClient.send(new DeleteCommand({ TableName, Key: key }));
  }
  await orders.create(orderRecord(undefined, { orderId, ownerApiKeyId: FIXTURE_KEY_ID }));
}

beforeAll(async () => {
  dynamo = await startDynamo();
  s3 = await startS3(['receipts']);
  orders = new DynamoDbOrderRepository(dynamo.documentClient, 'orders');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    S3_FORCE_PATH_STYLE: 'true',
  });
});
afterAll(async () => {
  await dynamo.close();
  await s3.close();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:x:y', startDate: new Date() });
});

describe('events/ fixtures through their handlers', () => {
  it('list-products.json lists the catalog', async () => {
    const response = await invokeApi('list-products');
    expect(response.statusCode).toBe(200);
    expect((response.body.products as unknown[]).length).toBeGreaterThan(0);
  });

  it('create-order.json records the order and starts its execution', async () => {
    const response = await invokeApi('create-order');
    expect(response.statusCode).toBe(202);
    const orderId = response.body.orderId as string;
    expect(response.headers.Location).toBe(`/dev/orders/${orderId}`);
    expect((await orders.get(orderId))?.status).toBe('RECEIVED');
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({ name: orderId, input: JSON.stringify({ orderId }) });
    // The fixture carries an Idempotency-Key: replaying it returns the same order.
    const replay = await invokeApi('create-order');
    expect(replay.body.orderId).toBe(orderId);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
  });

  it('the happy-path task fixtures complete the order, and get-order/get-receipt fixtures show it', async () => {
    await seedFixtureOrder();
    expect(await invoke('authorize-payment')).toHaveProperty('authorizationId');
    expect(await invoke('create-shipment')).toHaveProperty('trackingNumber');
    expect(await invoke('capture-payment')).toHaveProperty('captureId');
    expect(await invoke('generate-receipt')).toEqual({ htmlKey: `receipts/${FIXTURE_ORDER_ID}/receipt.html` });

    const view = await invokeApi('get-order');
    expect(view.statusCode).toBe(200);
    expect(view.body).toMatchObject({ orderId: FIXTURE_ORDER_ID, status: 'COMPLETED', receipt: { available: true } });

    const receipt = await invokeApi('get-receipt');
    expect(receipt.statusCode).toBe(200);
    const html = await fetch(receipt.body.url as string);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('Thank you for your order');
    expect(receipt.body.document).toMatchObject({ receiptVersion: 1, orderId: FIXTURE_ORDER_ID });
  });

  it('cancel-shipment.json and void-payment.json compensate a shipped order and close it as FAILED', async () => {
    await seedFixtureOrder(COMPENSATED_ORDER_ID);
    const task = { orderId: COMPENSATED_ORDER_ID, executionId: fixture('cancel-shipment').executionId };
    await invoke('authorize-payment', task);
    await invoke('create-shipment', task);
    expect(await invoke('cancel-shipment')).toEqual({ outcome: 'CANCELLED' });
    expect(await invoke('void-payment')).toEqual({ outcome: 'VOIDED' });
    const order = await orders.get(COMPENSATED_ORDER_ID);
    expect(order).toMatchObject({ status: 'FAILED', failure: { code: 'CaptureDeclined' } });
    expect(order?.shipment?.status).toBe('CANCELLED');
    expect(order?.payment?.status).toBe('VOIDED');
  });
});
