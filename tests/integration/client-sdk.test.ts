import { readFileSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Conflict, NotFound, OrdersClient, type RetryEvent, ValidationError } from '#client';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';
import { RuntimeClients } from '../support/runtime-clients';
import { ROOT } from '../support/template';

/*
 * The client SDK against `npm start`: the real handlers, API Gateway emulation and pipeline.
 * A TCP proxy in front of the API drops the connection of chosen requests once the API has started
 * answering them, so the request was received and processed but its answer never arrives.
 */
jest.setTimeout(180_000);

let runtime: LocalRuntimeProcess;
let clients: RuntimeClients;
let proxy: { url: string; resetNext(count: number): void; close(): Promise<void> };

/** A proxy to the API that destroys the client's socket at the first byte of the answer, for the next `count` requests. */
async function resettingProxy(target: URL): Promise<typeof proxy> {
  let resets = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    // Decided per request, at its first bytes: fetch keeps connections alive and sends several on one.
    let reset = false;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (!reset && resets > 0 && /^[A-Z]+ \//.test(chunk.toString('latin1', 0, 16))) {
        resets -= 1;
        reset = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (reset) {
        client.destroy();
        upstream.destroy();
      } else client.write(chunk);
    });
    upstream.on('end', () => client.end());
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
    client.on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname.replace(/\/$/, '')}`,
    resetNext: (count) => {
      resets = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

beforeAll(async () => {
  runtime = await startLocalRuntime(newStateDir(), { fresh: true });
  clients = new RuntimeClients(runtime.info);
  proxy = await resettingProxy(new URL(runtime.info.apiUrl));
});
afterAll(async () => {
  await proxy.close();
  clients.close();
  await runtime.stop();
});

const apiKey = (index: number) => runtime.info.apiKeys[index]?.value ?? '';
const ordersOf = async (customerId: string) => (await clients.scan('OrdersTable')).filter((order) => order.customerId === customerId);

describe('OrdersClient against npm start', () => {
  it('places exactly one order when the connection is reset after the POST was sent: the retry replays it', async () => {
    const retries: RetryEvent[] = [];
    const sdk = new OrdersClient({ baseUrl: proxy.url, apiKey: apiKey(0), retry: { baseDelayMs: 50, maxDelayMs: 200 }, onRetry: (event) => retries.push(event) });
    proxy.resetNext(1);
    const placed = await sdk.placeOrder(orderRequest({ customerId: 'sdk-reset-1' }));

    expect(retries.map((retry) => retry.reason)).toEqual(['network']);
    expect(placed).toMatchObject({ outcome: 'accepted', replayed: true });
    const stored = await ordersOf('sdk-reset-1');
    expect(stored.map((order) => order.orderId)).toEqual([placed.orderId]);
    await expect(new OrdersClient({ baseUrl: runtime.info.apiUrl, apiKey: apiKey(0) }).waitForOrder(placed.orderId, { deadlineMs: 90_000 })).resolves.toMatchObject({ status: 'COMPLETED' });
  });

  it('(as docs/api.md warns) a keyless raw POST retried after the same reset creates a second order', async () => {
    const post = () =>
      fetch(`${proxy.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey(0) }, body: JSON.stringify(orderRequest({ customerId: 'sdk-reset-keyless' })) });
    proxy.resetNext(1);
    await expect(post()).rejects.toThrow();
    expect((await post()).status).toBe(202);
    expect(await ordersOf('sdk-reset-keyless')).toHaveLength(2);
  });

  it('lists products, places with a wait, reads the receipt and follows the live updates of another order', async () => {
    const sdk = new OrdersClient({ baseUrl: runtime.info.apiUrl, apiKey: apiKey(0) });
    const products = await sdk.listProducts();
    expect(products.map((product) => product.sku)).toContain('MUG-CERAMIC');

    const placed = await sdk.placeOrder(orderRequest({ items: [{ sku: 'MUG-CERAMIC', quantity: 2 }] }), { waitSeconds: 25 });
    const order = placed.outcome === 'completed' ? placed.order : await sdk.waitForOrder(placed.orderId, { deadlineMs: 90_000 });
    expect(order.total).toEqual({ amount: 2 * 1250 + 599, currency: 'USD' });
    const receipt = await sdk.getReceipt(order.orderId);
    expect(receipt).toMatchObject({ orderId: order.orderId, contentType: 'text/html' });

    const next = await sdk.placeOrder(orderRequest());
    const statuses: string[] = [];
    for await (const view of sdk.subscribe(next.orderId, { signal: AbortSignal.timeout(90_000) })) statuses.push(view.status);
    expect(statuses.at(-1)).toBe('COMPLETED');
  });

  it("answers the API's errors as typed errors", async () => {
    const sdk = new OrdersClient({ baseUrl: runtime.info.apiUrl, apiKey: apiKey(0) });
    const other = new OrdersClient({ baseUrl: runtime.info.apiUrl, apiKey: apiKey(1) });

    // API Gateway's model refuses a quantity of 0 before the function runs; the function names a duplicate SKU.
    await expect(sdk.placeOrder({ ...orderRequest(), items: [{ sku: 'MUG-CERAMIC', quantity: 0 }] })).rejects.toBeInstanceOf(ValidationError);
    const duplicate = { sku: 'MUG-CERAMIC', quantity: 1 };
    const invalid = await sdk.placeOrder({ ...orderRequest(), items: [duplicate, duplicate] }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).fieldErrors.map((error) => error.path)).toEqual(['items.1.sku']);

    const placed = await sdk.placeOrder(orderRequest(), { idempotencyKey: 'sdk-conflict-1' });
    await expect(other.getOrder(placed.orderId)).rejects.toBeInstanceOf(NotFound);
    await expect(sdk.placeOrder(orderRequest({ customerId: 'someone-else' }), { idempotencyKey: 'sdk-conflict-1' })).rejects.toBeInstanceOf(Conflict);
  });

  it('the console serves docs/openapi.yaml at /_local/openapi.yaml', async () => {
    const response = await fetch(new URL('/_local/openapi.yaml', runtime.info.consoleUrl));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(readFileSync(join(ROOT, 'docs', 'openapi.yaml'), 'utf8'));
  });
});
