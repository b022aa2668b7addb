import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type OrderRequest } from '#domain/order-request';
import { OrdersClient } from '#client';
import { apiClient } from '../support/runtime-clients';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';

/*
 * The API suite, over HTTP. By default it starts the local runtime (npm start's entry point) on
 * free ports. With API_BASE_URL and API_KEY set (npm run test:e2e) it runs against a deployed
 * stack instead, and the checks that read the local emulators directly are skipped (logged below).
 */
jest.setTimeout(90_000);

const E2E = Boolean(process.env.API_BASE_URL && process.env.API_KEY);
const localOnly = E2E ? it.skip : it;
if (E2E) console.log('e2e mode: checks that read DynamoDB, S3, Step Functions and Lambda directly are skipped');

let runtime: LocalRuntimeProcess | undefined;
let api: OrdersClient;
let otherKey: string | undefined;
let baseUrl: string;

function clients() {
  if (!runtime) throw new Error('local runtime only');
  const { endpoints, region, credentials } = runtime.info;
  return {
    dynamodb: new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials }),
    s3: new S3Client({ endpoint: endpoints.s3, region, credentials, forcePathStyle: true }),
    sfn: new SFNClient({ endpoint: endpoints.sfn, region, credentials }),
    lambda: new LambdaClient({ endpoint: endpoints.lambda, region, credentials }),
  };
}

async function placeOrder(request: OrderRequest, headers: Record<string, string> = {}) {
  const response = await api.request('POST', '/orders', { body: request, headers });
  expect(response.status).toBe(202);
  return response.body.orderId as string;
}

beforeAll(async () => {
  if (E2E) {
    baseUrl = String(process.env.API_BASE_URL).replace(/\/$/, '');
    api = apiClient(baseUrl, String(process.env.API_KEY));
    otherKey = process.env.OTHER_API_KEY;
    return;
  }
  runtime = await startLocalRuntime(newStateDir(), { fresh: true });
  const [first, second] = runtime.info.apiKeys;
  if (!first || !second) throw new Error('local/config.json must define two API keys');
  baseUrl = runtime.info.apiUrl;
  api = apiClient(baseUrl, first.value);
  otherKey = second.value;
});

afterAll(async () => {
  await runtime?.stop('SIGTERM');
});

describe('orders API', () => {
  it('answers 403 {"message":"Forbidden"} without an API key or with an unknown one', async () => {
    // A client whose "signer" adds nothing: the request goes out with no credentials at all.
    const unauthenticated = new OrdersClient({ baseUrl, signer: ({ headers }) => Promise.resolve(headers), routes: 'storefront', retry: false });
    for (const client of [unauthenticated, apiClient(baseUrl, 'not-a-key')]) {
      const response = await client.request('GET', '/products');
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ message: 'Forbidden' });
    }
  });

  it('lists the catalog', async () => {
    const response = await api.request<{ products: { sku: string; unitPrice: number }[] }>('GET', '/products');
    expect(response.status).toBe(200);
    expect(response.body.products.map((product) => product.sku)).toContain('TSHIRT-BLK-M');
  });

  it('takes an order to COMPLETED and serves its receipt through a presigned link', async () => {
    const orderId = await placeOrder(orderRequest());
    const order = await api.waitForOrder(orderId, { resolveFailed: true });
    expect(order.status).toBe('COMPLETED');
    expect((order.timeline as { status: string }[]).map((step) => step.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(order.shipment).toMatchObject({ trackingNumber: expect.stringMatching(/^SP/) as string });

    const receipt = await api.request('GET', `/orders/${orderId}/receipt`);
    expect(receipt.status).toBe(200);
    expect(String(receipt.body.url)).toContain('X-Amz-Expires=300');
    const html = await fetch(String(receipt.body.url));
    expect(html.status).toBe(200);
    expect(await html.text()).toContain(orderId);
  });

  it('fails a declined order with the decline as the reason, and has no receipt', async () => {
    const orderId = await placeOrder(orderRequest({ payment: { token: 'tok_chargeDeclined' } }));
    const order = await api.waitForOrder(orderId, { resolveFailed: true });
    expect(order).toMatchObject({ status: 'FAILED', failure: { code: 'PaymentDeclined', step: 'Authorize Payment' } });
    expect((await api.request('GET', `/orders/${orderId}/receipt`)).status).toBe(409);
  });

  it('voids the payment when the address cannot be served, and shows the compensation in the timeline', async () => {
    const request = orderRequest();
    const orderId = await placeOrder({ ...request, shippingAddress: { ...request.shippingAddress, country: 'AQ' } });
    const order = await api.waitForOrder(orderId, { resolveFailed: true });
    expect(order).toMatchObject({ status: 'FAILED', failure: { code: 'AddressNotServiceable', step: 'Create Shipment' } });
    const timeline = order.timeline as { step: string; status: string }[];
    expect(timeline.find((step) => step.step === 'Void Payment')?.status).toBe('SUCCEEDED');
  });

  it('returns the final order within the call for Prefer: wait', async () => {
    const response = await api.request('POST', '/orders', { body: orderRequest(), headers: { Prefer: 'wait=20' } });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('COMPLETED');
    expect(response.headers.get('preference-applied')).toBe('wait=20');
  });

  it('returns the same order for a replayed Idempotency-Key, even concurrently, and 409 for a different body', async () => {
    const key = `it-${String(Date.now())}`;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => api.request('POST', '/orders', { body: orderRequest(), headers: { 'Idempotency-Key': key } })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 10 }, () => 202));
    expect(new Set(responses.map((response) => response.body.orderId)).size).toBe(1);
    const conflict = await api.request('POST', '/orders', { body: orderRequest({ customerId: 'someone-else' }), headers: { 'Idempotency-Key': key } });
    expect(conflict.status).toBe(409);
    await api.waitForOrder(String(responses[0]?.body.orderId), { resolveFailed: true });
  });

  it('hides an order from another API key (404 for the order and its receipt)', async () => {
    if (!otherKey) throw new Error('Set OTHER_API_KEY to a second key of the deployed stack to run this check');
    const orderId = await placeOrder(orderRequest());
    await api.waitForOrder(orderId, { resolveFailed: true });
    const other = apiClient(baseUrl, otherKey);
    expect((await other.request('GET', `/orders/${orderId}`)).status).toBe(404);
    expect((await other.request('GET', `/orders/${orderId}/receipt`)).status).toBe(404);
  });

  it('names every bad field in a 400, and answers 413, 415 and 422 for the other bad requests', async () => {
    // Past the API Gateway model (which has no notion of duplicates), the function names each bad field.
    const duplicate = await api.request<{ message: string; errors: { path: string }[] }>('POST', '/orders', {
      body: orderRequest({ items: [{ sku: 'MUG-CERAMIC', quantity: 1 }, { sku: 'MUG-CERAMIC', quantity: 2 }] }),
      headers: { 'Idempotency-Key': 'has space', Prefer: 'wait=soon' },
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.errors.map((error) => error.path).sort()).toEqual(['headers.Idempotency-Key', 'headers.Prefer', 'items.1.sku']);

    const plainText = await api.request('POST', '/orders', { rawBody: JSON.stringify(orderRequest()), headers: { 'Content-Type': 'text/plain' } });
    expect(plainText.status).toBe(415);

    const padded = JSON.stringify(orderRequest()).replace('{', `{${' '.repeat(17 * 1024)}`);
    expect((await api.request('POST', '/orders', { rawBody: padded, headers: { 'Content-Type': 'application/json' } })).status).toBe(413);

    const unknownSku = await api.request('POST', '/orders', { body: orderRequest({ items: [{ sku: 'NOT-A-SKU', quantity: 1 }] }) });
    expect(unknownSku.status).toBe(422);
    expect(unknownSku.body.errors).toEqual([{ path: 'items.0.sku', message: expect.any(String) as string }]);

    const malformed = await api.request('POST', '/orders', { rawBody: '{"customerId":', headers: { 'Content-Type': 'application/json' } });
    expect(malformed.status).toBe(400);
  });

  localOnly('stores the receipt in S3 and the order in DynamoDB, readable with the AWS SDK', async () => {
    const orderId = await placeOrder(orderRequest());
    await api.waitForOrder(orderId, { resolveFailed: true });
    const { dynamodb, s3 } = clients();
    const info = runtime?.info;
    const item = await dynamodb.send(new GetItemCommand({ TableName: info?.tables.OrdersTable, Key: { orderId: { S: orderId } } }));
    expect(item.Item?.status?.S).toBe('COMPLETED');
    const head = await s3.send(new HeadObjectCommand({ Bucket: info?.buckets.ReceiptsBucket, Key: `receipts/${orderId}/receipt.html` }));
    expect(head.ContentType).toBe('text/html; charset=utf-8');
  });

  localOnly('records the execution history in the Step Functions API shape', async () => {
    const orderId = await placeOrder(orderRequest({ payment: { token: 'tok_flaky_1' } }));
    await api.waitForOrder(orderId, { resolveFailed: true });
    const { sfn } = clients();
    const executionArn = `${String(runtime?.info.stateMachines.OrderProcessingStateMachine).replace(':stateMachine:', ':execution:')}:${orderId}`;
    const description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(description).toMatchObject({ status: 'SUCCEEDED', name: orderId, input: JSON.stringify({ orderId }) });
    // CreateOrder starts on the live alias, so the execution names the alias and the version it ran.
    const machineArn = String(runtime?.info.stateMachines.OrderProcessingStateMachine);
    expect(description.stateMachineAliasArn).toBe(`${machineArn}:live`);
    expect(description.stateMachineVersionArn).toMatch(new RegExp(`^${machineArn}:\\d+$`));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = (history.events ?? []).map((event) => event.type);
    expect(types.slice(0, 6)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskScheduled']);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.filter((type) => type === 'TaskSucceeded')).toHaveLength(4);
    const ids = (history.events ?? []).map((event) => event.id);
    expect(ids).toEqual(ids.map((_, index) => index + 1));
  });

  localOnly('serves the Lambda Invoke API for the AWS CLI and SDKs', async () => {
    const { lambda } = clients();
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: 'ListProductsFunction',
        Payload: Buffer.from(JSON.stringify({ requestContext: { identity: { apiKeyId: 'cli' } }, headers: {} })),
      }),
    );
    expect(result.FunctionError).toBeUndefined();
    const payload = JSON.parse(Buffer.from(result.Payload ?? new Uint8Array()).toString()) as { statusCode: number };
    expect(payload.statusCode).toBe(200);
  });

  localOnly('throttles a key above its usage-plan burst with 429 {"message":"Too Many Requests"}', async () => {
    const partner = apiClient(baseUrl, otherKey ?? '');
    const responses = await Promise.all(Array.from({ length: 250 }, () => partner.request('GET', '/products')));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(100);
    const throttled = responses.filter((response) => response.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]?.body).toEqual({ message: 'Too Many Requests' });
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
  });
});
