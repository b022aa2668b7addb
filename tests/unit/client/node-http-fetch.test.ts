import { OrdersClient } from '#client';
import { type FakeApi, startFakeApi } from '../../support/fake-api';
import { nodeHttpFetch } from '../../support/node-http-fetch';
import { orderRequest } from '../../support/orders';

/** The benchmarks' load path: the SDK over node:http must send and read what it does over fetch. */
describe('OrdersClient over nodeHttpFetch', () => {
  let api: FakeApi;
  const transport = nodeHttpFetch(4);
  afterAll(async () => {
    transport.close();
    await api.close();
  });

  it('sends the body and headers, and reads the status, headers and body of each answer', async () => {
    api = await startFakeApi((_request, index) =>
      index === 0 ? { status: 202, body: { orderId: 'ord_1', status: 'RECEIVED' }, headers: { location: '/orders/ord_1' } } : { status: 404, body: { message: 'Order not found' } },
    );
    const client = new OrdersClient({ baseUrl: api.url, apiKey: 'k', fetch: transport.fetch });

    const placed = await client.placeOrder(orderRequest(), { idempotencyKey: 'key-1' });
    expect(placed).toMatchObject({ orderId: 'ord_1', location: '/orders/ord_1', idempotencyKey: 'key-1' });
    expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': 'key-1', 'x-api-key': 'k', 'content-type': 'application/json' } });
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual(orderRequest());

    await expect(client.getOrder('ord_1')).rejects.toMatchObject({ name: 'NotFound', status: 404, message: 'Order not found' });
  });
});
