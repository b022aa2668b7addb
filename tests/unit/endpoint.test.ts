import type { APIGatewayProxyResult } from 'aws-lambda';
import { type ApiSettings, apiSettingsFromEnv, endpoint, ownedOrderEndpoint } from '#api/endpoint';
import { json } from '#api/http';
import type { OrderRecord } from '#domain/order';
import { MemoryOrderRepository } from '../support/memory-stores';
import { orderRecord } from '../support/orders';
import { OTHER_KEY, apiEvent, orderEvent, parseResponse } from './helpers/api';

/*
 * The API preamble the four API functions share, tested on its own: no environment, no SDK.
 */

const api: ApiSettings = { allowOrigin: 'https://shop.example', samLocalKeys: undefined };
const ok = (): Promise<APIGatewayProxyResult> => Promise.resolve(json(200, { ok: true }));

describe('endpoint: the caller key and the CORS origin', () => {
  it('answers 403 {"message":"Forbidden"} without an API key, and never runs the handler', async () => {
    const handle = jest.fn(ok);

    const response = parseResponse(await endpoint(handle)({ api }, apiEvent({ apiKeyId: null })));

    expect(response).toMatchObject({ statusCode: 403, body: { message: 'Forbidden' } });
    expect(response.headers['Access-Control-Allow-Origin']).toBe('https://shop.example');
    expect(handle).not.toHaveBeenCalled();
  });

  it("hands the handler the caller's key id and puts the configured origin on its response", async () => {
    const handle = jest.fn(ok);

    const response = await endpoint(handle)({ api }, apiEvent({ apiKeyId: 'key-a' }));

    expect(handle).toHaveBeenCalledWith({ api }, expect.anything(), 'key-a');
    expect(response.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://shop.example', 'Content-Type': 'application/json' });
  });
});

describe("ownedOrderEndpoint: only the caller's own order reaches the handler", () => {
  async function call(order: OrderRecord, event = orderEvent(order.orderId)) {
    const orders = new MemoryOrderRepository();
    await orders.create(order);
    const handle = jest.fn((_deps: unknown, found: OrderRecord) => Promise.resolve(json(200, { orderId: found.orderId })));
    const response = parseResponse(await ownedOrderEndpoint(handle)({ api, orders }, event));
    return { response, handle };
  }

  it('gives the handler the order the caller owns', async () => {
    const order = orderRecord();

    const { response, handle } = await call(order);

    expect(response).toMatchObject({ statusCode: 200, body: { orderId: order.orderId } });
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it("answers 404 for another key's order and for a missing one, with the origin, without running the handler", async () => {
    const order = orderRecord();

    const other = await call(order, orderEvent(order.orderId, { apiKeyId: OTHER_KEY }));
    const missing = await call(order, orderEvent(orderRecord().orderId));

    for (const { response, handle } of [other, missing]) {
      expect(response).toMatchObject({ statusCode: 404, body: { message: 'Order not found' } });
      expect(response.headers['Access-Control-Allow-Origin']).toBe('https://shop.example');
      expect(handle).not.toHaveBeenCalled();
    }
  });

  it('answers 400 for a malformed order id', async () => {
    const { response } = await call(orderRecord(), orderEvent('not-an-order-id'));

    expect(response).toMatchObject({ statusCode: 400, body: { message: 'Invalid order id' } });
  });
});

describe('apiSettingsFromEnv', () => {
  it('fails at init, naming CORS_ALLOW_ORIGIN, when the template did not set it', () => {
    const saved = process.env.CORS_ALLOW_ORIGIN;
    Reflect.deleteProperty(process.env, 'CORS_ALLOW_ORIGIN');
    try {
      expect(() => apiSettingsFromEnv()).toThrow(/CORS_ALLOW_ORIGIN/);
    } finally {
      if (saved !== undefined) process.env.CORS_ALLOW_ORIGIN = saved;
    }
  });
});
