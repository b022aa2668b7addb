import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOrderRepository } from '#adapters/dynamodb-order-repository';
import { newOrderRecord } from '../../functions/create-order/place-order';
import { loadConfig } from '../../local/runtime';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';
import { signRequest, localPrincipal, signedFetch } from '../support/sigv4-signer';
import { ROOT } from '../support/template';

/*
 * The AWS_IAM routes on npm start: SigV4 verified as API Gateway does, AWS's 403 bodies, the
 * principals' managed policies, ownership by principal, and the operators' list over 1,000 orders.
 */
jest.setTimeout(180_000);

const config = loadConfig(join(ROOT, 'local', 'config.json'));
const INTEGRATOR = localPrincipal('integrator');
const OPERATOR = localPrincipal('operator');

let runtime: LocalRuntimeProcess;
let base: string;

beforeAll(async () => {
  runtime = await startLocalRuntime(newStateDir(), { fresh: true });
  base = runtime.info.apiUrl;
});

afterAll(async () => {
  await runtime.stop('SIGTERM');
});

async function call(response: Promise<Response>): Promise<{ status: number; body: Record<string, unknown> }> {
  const settled = await response;
  return { status: settled.status, body: (await settled.json()) as Record<string, unknown> };
}

const json = { 'content-type': 'application/json' };

describe('AWS_IAM routes on the local runtime', () => {
  it('places and reads an order signed by the integrator, which API keys cannot see, and the operator can', async () => {
    const placed = await call(signedFetch(`${base}/integrations/orders`, { method: 'POST', headers: json, body: JSON.stringify(orderRequest()) }, INTEGRATOR));
    expect(placed).toMatchObject({ status: 202, body: { links: { self: expect.stringMatching(/\/dev\/integrations\/orders\/ord_/) as unknown } } });
    const orderId = placed.body.orderId as string;

    expect((await call(signedFetch(`${base}/integrations/orders/${orderId}`, {}, INTEGRATOR))).status).toBe(200);
    const [storefront] = config.apiKeys;
    const byKey = await call(fetch(`${base}/orders/${orderId}`, { headers: { 'x-api-key': storefront?.value ?? '' } }));
    expect(byKey.status).toBe(404);
    const asOperator = await call(signedFetch(`${base}/admin/orders/${orderId}`, {}, OPERATOR));
    expect(asOperator).toMatchObject({ status: 200, body: { orderId, owner: INTEGRATOR.userArn, executionArn: expect.stringMatching(new RegExp(`:execution:OrderProcessingStateMachine:${orderId}$`)) as unknown } });

    // And the other way round: a key-owned order is not the integrator's.
    const keyOrder = await call(fetch(`${base}/orders`, { method: 'POST', headers: { ...json, 'x-api-key': storefront?.value ?? '' }, body: JSON.stringify(orderRequest()) }));
    expect(keyOrder.status).toBe(202);
    expect((await call(signedFetch(`${base}/integrations/orders/${String(keyOrder.body.orderId)}`, {}, INTEGRATOR))).status).toBe(404);
  });

  it("answers unsigned, tampered, expired and wrong-policy requests with API Gateway's 403 bodies", async () => {
    expect(await call(fetch(`${base}/integrations/orders`, { method: 'POST', headers: json, body: JSON.stringify(orderRequest()) }))).toEqual({
      status: 403,
      body: { message: 'Missing Authentication Token' },
    });
    // A storefront key is no signature.
    expect((await call(fetch(`${base}/admin/orders?status=FAILED`, { headers: { 'x-api-key': config.apiKeys[0]?.value ?? '' } }))).status).toBe(403);

    const signed = await signRequest(`${base}/integrations/orders`, { method: 'POST', headers: json, body: JSON.stringify(orderRequest()) }, INTEGRATOR);
    const tampered = await call(fetch(`${base}/integrations/orders`, { ...signed, body: JSON.stringify(orderRequest({ customerId: 'someone-else' })) }));
    expect(tampered.status).toBe(403);
    expect(String(tampered.body.message)).toMatch(/^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\./);

    const expired = await call(signedFetch(`${base}/integrations/orders/ord_${'0'.repeat(32)}`, {}, INTEGRATOR, { signingDate: new Date(Date.now() - 6 * 60_000) }));
    expect(expired.status).toBe(403);
    expect(String(expired.body.message)).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);

    expect(await call(signedFetch(`${base}/admin/orders?status=FAILED`, {}, INTEGRATOR))).toEqual({
      status: 403,
      body: { Message: `User: ${INTEGRATOR.userArn} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:OrdersApi/dev/GET/admin/orders` },
    });
    expect((await call(signedFetch(`${base}/integrations/orders`, { method: 'POST', headers: json, body: JSON.stringify(orderRequest()) }, OPERATOR))).status).toBe(403);
  });

  it('pages the operators through 1,000 orders of one status, newest first, with no duplicates and no gaps; a bad cursor is 400', async () => {
    // Written straight through the repository adapter into the local DynamoDB: placing 1,000 orders
    // through the pipeline would take minutes on 2 cores. Ten orders share each createdAt, so ties
    // must be broken by the index position in the cursor, not by the timestamp alone.
    const { endpoints, region, credentials, tables } = runtime.info;
    const repository = new DynamoDbOrderRepository(DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials }), { marshallOptions: { removeUndefinedValues: true } }), String(tables.OrdersTable));
    const start = Date.UTC(2026, 0, 1);
    const written = Array.from({ length: 1000 }, (_, index) => {
      const record = newOrderRecord(`ord_${index.toString(16).padStart(32, '0')}`, { apiKeyId: 'bulk', request: orderRequest() }, new Date(start + Math.floor(index / 10) * 1000));
      return { ...record, status: 'CANCELLING' as const };
    });
    for (let offset = 0; offset < written.length; offset += 25) await Promise.all(written.slice(offset, offset + 25).map((order) => repository.create(order)));

    const seen: { orderId: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const query: string = `status=CANCELLING&limit=37${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await call(signedFetch(`${base}/admin/orders?${query}`, {}, OPERATOR));
      expect(response.status).toBe(200);
      seen.push(...(response.body.orders as { orderId: string; createdAt: string }[]));
      cursor = response.body.nextCursor as string | null;
      if (!cursor) break;
    }
    const ids = seen.map((order) => order.orderId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(written.map((order) => order.orderId).sort());
    const times = seen.map((order) => order.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    const bad = await call(signedFetch(`${base}/admin/orders?status=CANCELLING&cursor=eyJub3QiOiJhIGN1cnNvciJ9`, {}, OPERATOR));
    expect(bad).toMatchObject({ status: 400, body: { errors: [{ path: 'cursor' }] } });
    const from = new Date(start + 50_000).toISOString();
    const to = new Date(start + 59_000).toISOString();
    const ranged = await call(signedFetch(`${base}/admin/orders?status=CANCELLING&from=${from}&to=${to}&limit=100`, {}, OPERATOR));
    expect((ranged.body.orders as unknown[]).length).toBe(100);
  });

  it('refuses to retry an order that is not in Compensation Failed or Receipt Failed (409)', async () => {
    const placed = await call(signedFetch(`${base}/integrations/orders`, { method: 'POST', headers: { ...json, Prefer: 'wait=20' }, body: JSON.stringify(orderRequest()) }, INTEGRATOR));
    expect(placed.body.status).toBe('COMPLETED');
    const retry = await call(signedFetch(`${base}/admin/orders/${String(placed.body.orderId)}/retry`, { method: 'POST' }, OPERATOR));
    expect(retry).toMatchObject({ status: 409 });
  });
});
