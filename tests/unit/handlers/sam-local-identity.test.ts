import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type ApiSettings, apiSettingsFromEnv } from '#api/endpoint';
import { NO_UPDATES_LINKS } from '#api/updates-link';
import { type CreateOrderDependencies, createOrder } from '../../../functions/create-order/create-order';
import { getOrder } from '../../../functions/get-order/get-order';
import { RecordingMetrics } from '../../support/fakes';
import { MemoryOrderRepository } from '../../support/memory-stores';
import { orderRequest } from '../../support/orders';
import { lambdaContext, parseResponse, samLocalEvent } from '../helpers/api';

/*
 * Caller identity as `sam local start-api` delivers requests: AWS_SAM_LOCAL=true, no apiKeyId, the
 * key in X-Api-Key. The handlers read the environment once at module load (index.ts, through
 * apiSettingsFromEnv), so each case loads them, or reads the settings, afresh with its environment,
 * as a new execution environment would.
 */

const LOCAL_API_KEYS = 'localkey0001=local-storefront-key-0000000000000001,localkey0002=local-partner-key-00000000000000000002';
const STOREFRONT_KEY = 'local-storefront-key-0000000000000001';
const PARTNER_KEY = 'local-partner-key-00000000000000000002';
const SAM_LOCAL = { AWS_SAM_LOCAL: 'true', LOCAL_API_KEYS };

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Imports a module in a fresh module registry with extra environment variables, then restores the environment. */
async function loadWith<T>(env: Record<string, string>, load: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    let loaded: T | undefined;
    await jest.isolateModulesAsync(async () => {
      loaded = await load();
    });
    return loaded as T;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

const listProductsWith = (env: Record<string, string>) => loadWith(env, async () => (await import('../../../functions/list-products/index')).handler);

async function status(handler: Handler, headers: Record<string, string>): Promise<{ statusCode: number; body: unknown }> {
  const response = parseResponse(await handler(samLocalEvent({ path: '/products', headers }), lambdaContext('list-products')));
  return { statusCode: response.statusCode, body: response.body };
}

/** The API settings an API function's index.ts reads at init, read with this environment. */
const apiSettingsWith = (env: Record<string, string>) => loadWith(env, () => Promise.resolve(apiSettingsFromEnv()));

function createOrderDependencies(orders: MemoryOrderRepository, api: ApiSettings): CreateOrderDependencies {
  return { api, orders, workflow: { start: () => Promise.resolve() }, metrics: new RecordingMetrics(), now: () => new Date('2026-12-01T10:00:00.000Z'), updates: NO_UPDATES_LINKS };
}

describe('under sam local (AWS_SAM_LOCAL=true): the caller is the X-Api-Key listed in LOCAL_API_KEYS', () => {
  it.each(['X-Api-Key', 'x-api-key', 'X-API-KEY'])('identifies the caller from the %s header', async (name) => {
    const handler = await listProductsWith(SAM_LOCAL);

    expect((await status(handler, { [name]: STOREFRONT_KEY })).statusCode).toBe(200);
  });

  it('returns 403 {"message":"Forbidden"} for a missing key, an unknown key and a key id sent as the value', async () => {
    const handler = await listProductsWith(SAM_LOCAL);

    const cases: Record<string, string>[] = [{}, { 'X-Api-Key': 'local-storefront-key-0000000000000009' }, { 'X-Api-Key': 'localkey0001' }];
    for (const headers of cases) {
      expect(await status(handler, headers)).toEqual({ statusCode: 403, body: { message: 'Forbidden' } });
    }
  });

  it('returns 403 for every key when LOCAL_API_KEYS is empty (sam local run without --env-vars)', async () => {
    const handler = await listProductsWith({ AWS_SAM_LOCAL: 'true', LOCAL_API_KEYS: '' });

    expect((await status(handler, { 'X-Api-Key': STOREFRONT_KEY })).statusCode).toBe(403);
  });

  it('fails at init, naming LOCAL_API_KEYS, when the variable is malformed', async () => {
    await expect(listProductsWith({ AWS_SAM_LOCAL: 'true', LOCAL_API_KEYS: 'localkey0001:local-storefront-key' })).rejects.toThrow(/LOCAL_API_KEYS/);
  });

  it('gives a new order to the key id the header maps to, with a Location without a stage prefix', async () => {
    const api = await apiSettingsWith(SAM_LOCAL);
    const orders = new MemoryOrderRepository();
    const event = samLocalEvent({
      method: 'POST',
      path: '/orders',
      headers: { 'X-Api-Key': STOREFRONT_KEY, 'Content-Type': 'application/json', 'Idempotency-Key': 'sam-local-1' },
      body: JSON.stringify(orderRequest()),
    });

    const response = parseResponse(await createOrder(createOrderDependencies(orders, api), event));

    expect(response.statusCode).toBe(202);
    const orderId = String(response.body.orderId);
    expect(response.headers.Location).toBe(`/orders/${orderId}`);
    expect(response.body.links).toEqual({ self: `/orders/${orderId}`, receipt: `/orders/${orderId}/receipt` });
    expect(orders.items.get(orderId)?.ownerApiKeyId).toBe('localkey0001');
  });

  it("shows an order only to its owner's key: 200 with unprefixed links for it, 404 for the other key", async () => {
    const api = await apiSettingsWith(SAM_LOCAL);
    const orders = new MemoryOrderRepository();
    const created = parseResponse(
      await createOrder(
        createOrderDependencies(orders, api),
        samLocalEvent({ method: 'POST', path: '/orders', headers: { 'x-api-key': STOREFRONT_KEY, 'content-type': 'application/json' }, body: JSON.stringify(orderRequest()) }),
      ),
    );
    const orderId = String(created.body.orderId);
    const read = (key: string) =>
      getOrder({ api, orders, updates: NO_UPDATES_LINKS }, samLocalEvent({ path: `/orders/${orderId}`, resource: '/orders/{orderId}', pathParameters: { orderId }, headers: { 'X-Api-Key': key } }));

    const own = parseResponse(await read(STOREFRONT_KEY));
    expect(own.statusCode).toBe(200);
    expect(own.body.links).toEqual({ self: `/orders/${orderId}`, receipt: `/orders/${orderId}/receipt` });
    expect(parseResponse(await read(PARTNER_KEY)).statusCode).toBe(404);
  });
});

describe('on AWS (AWS_SAM_LOCAL unset): only API Gateway identifies the caller', () => {
  it('ignores X-Api-Key and LOCAL_API_KEYS, so a request without apiKeyId gets 403', async () => {
    const handler = await listProductsWith({ LOCAL_API_KEYS });

    expect(await status(handler, { 'X-Api-Key': STOREFRONT_KEY })).toEqual({ statusCode: 403, body: { message: 'Forbidden' } });
  });

  it('does not even parse LOCAL_API_KEYS, so a stray value cannot break a deployed function', async () => {
    await expect(listProductsWith({ LOCAL_API_KEYS: 'not a key list' })).resolves.toBeInstanceOf(Function);
  });
});
