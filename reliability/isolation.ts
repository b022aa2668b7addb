import { orderRequest } from '../tests/support/orders';
import { sleep } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import type { Row } from './summary';

/** Idempotency under concurrency, replays with another body, tenant isolation, and receipt link expiry. */
export async function isolationSuite(clients: RuntimeClients, linkTtlSeconds: number): Promise<Row[]> {
  const key = `reliability-${String(Date.now())}`;
  const request = orderRequest({ customerId: 'isolation' });
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => clients.api.request('POST', '/orders', { body: request, headers: { 'Idempotency-Key': key } })),
  );
  const ids = new Set(responses.map((response) => String(response.body.orderId)));
  const [orderId = ''] = [...ids];
  await clients.api.waitForOrder(orderId, { deadlineMs: 60_000, resolveFailed: true });
  const executions = (await clients.executions()).filter((name) => name === orderId).length;
  const orders = (await clients.scan('OrdersTable')).filter((order) => order.idempotencyKey === key).length;

  const replay = await clients.api.request('POST', '/orders', { body: { ...request, customerId: 'someone-else' }, headers: { 'Idempotency-Key': key } });
  const otherOrder = await clients.otherApi.request('GET', `/orders/${orderId}`);
  const otherReceipt = await clients.otherApi.request('GET', `/orders/${orderId}/receipt`);

  const receipt = await clients.api.request('GET', `/orders/${orderId}/receipt`);
  const url = String(receipt.body.url);
  const fresh = (await fetch(url)).status;
  await sleep((linkTtlSeconds + 2) * 1000);
  const expired = (await fetch(url)).status;

  return [
    {
      area: 'Idempotency',
      check: 'same Idempotency-Key ×20 concurrently',
      tried: `20 concurrent POSTs, statuses ${[...new Set(responses.map((response) => response.status))].join('/')}`,
      required: '1 order, 1 execution',
      observed: `${String(ids.size)} order id, ${String(orders)} order item, ${String(executions)} execution`,
      held: ids.size === 1 && orders === 1 && executions === 1 && responses.every((response) => response.status === 202),
    },
    { area: 'Idempotency', check: 'replay with a different body', tried: 'same key, other customerId', required: '409', observed: String(replay.status), held: replay.status === 409 },
    {
      area: 'Isolation',
      check: "another API key reads the order / receipt",
      tried: 'GET /orders/{id} and /receipt with the second local key',
      required: '404 / 404',
      observed: `${String(otherOrder.status)} / ${String(otherReceipt.status)}`,
      held: otherOrder.status === 404 && otherReceipt.status === 404,
    },
    {
      area: 'Isolation',
      check: 'presigned receipt link after its expiry',
      tried: `link with a ${String(linkTtlSeconds)} s expiry, fetched at once and after ${String(linkTtlSeconds + 2)} s`,
      required: '200, then refused',
      observed: `${String(fresh)}, then ${String(expired)}`,
      held: fresh === 200 && expired === 403,
    },
  ];
}
