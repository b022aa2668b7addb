import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import {
  Conflict,
  Forbidden,
  NetworkError,
  NotFound,
  OrderFailed,
  OrdersClient,
  type OrdersClientOptions,
  RequestTimeout,
  type RetryEvent,
  ServiceUnavailable,
  Throttled,
  ValidationError,
  WaitTimeout,
  backoffDelay,
  retryAfterMs,
} from '#client';
import { sigv4Signer } from '#client/sigv4';
import { toOrderView } from '#api/order-view';
import { type FakeAnswer, type FakeApi, type ReceivedRequest, startFakeApi } from '../../support/fake-api';
import { orderRecord, orderRequest } from '../../support/orders';

jest.setTimeout(20_000);

const VIEW = toOrderView(orderRecord(), '/orders');
const ORDER_ID = VIEW.orderId;
const ACCEPTED = { orderId: ORDER_ID, status: 'RECEIVED', total: VIEW.total, links: VIEW.links };

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function serve(answer: (request: ReceivedRequest, index: number) => FakeAnswer): Promise<FakeApi> {
  api = await startFakeApi(answer);
  return api;
}

function client(fake: FakeApi, options: Partial<OrdersClientOptions> = {}): OrdersClient {
  return new OrdersClient({ baseUrl: fake.url, apiKey: 'key-1', retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options });
}

describe('backoff arithmetic', () => {
  it('draws full jitter under a doubling, capped ceiling', () => {
    const retry = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, retry, () => 0.999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, retry, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('retries', () => {
  it('retries a 429 after the Retry-After the server asked for, then succeeds', async () => {
    const fake = await serve((_request, index) => (index === 0 ? { status: 429, body: { message: 'Too Many Requests' }, headers: { 'retry-after': '1' } } : { status: 200, body: { products: [] } }));
    const retries: RetryEvent[] = [];
    await expect(client(fake, { onRetry: (event) => retries.push(event) }).listProducts()).resolves.toEqual([]);

    expect(fake.requests).toHaveLength(2);
    expect(retries).toEqual([{ attempt: 1, delayMs: 1000, reason: 'throttled', status: 429 }]);
    // Retry-After is a floor: the second request came no sooner than a second after the first.
    expect((fake.requests[1]?.at ?? 0) - (fake.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('retries 503 with jittered backoff and gives up with ServiceUnavailable after maxAttempts', async () => {
    const fake = await serve(() => ({ status: 503, body: { message: 'Service temporarily unavailable; retry shortly' } }));
    const retries: RetryEvent[] = [];
    const error = await client(fake, { retry: { maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 60 }, random: () => 0.5, onRetry: (event) => retries.push(event) })
      .getOrder(ORDER_ID)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error).toMatchObject({ status: 503, message: 'Service temporarily unavailable; retry shortly' });
    expect(fake.requests).toHaveLength(3);
    expect(retries.map(({ delayMs }) => delayMs)).toEqual([20, 30]);
  });

  it('gives up on a 429 that persists with Throttled', async () => {
    const fake = await serve(() => ({ status: 429, body: { message: 'Too Many Requests' } }));
    await expect(client(fake, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }).listProducts()).rejects.toBeInstanceOf(Throttled);
    expect(fake.requests).toHaveLength(2);
  });

  it.each([
    [400, { message: 'The order request is invalid', errors: [{ path: 'items.0.quantity', message: 'Must be at least 1' }] }, ValidationError],
    [403, { message: 'Forbidden' }, Forbidden],
    [404, { message: 'Order not found' }, NotFound],
    [409, { message: 'This Idempotency-Key was already used with a different request body' }, Conflict],
    [500, { message: 'Internal server error' }, ServiceUnavailable],
  ])('never retries a %i: one request, a typed error', async (status, body, type) => {
    const fake = await serve(() => ({ status, body }));
    const error = await client(fake).getOrder(ORDER_ID).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(type);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives ValidationError the field errors of the body', async () => {
    const errors = [{ path: 'shippingAddress.country', message: 'Must be an ISO 3166-1 alpha-2 code such as "US"' }];
    const fake = await serve(() => ({ status: 400, body: { message: 'The order request is invalid', errors } }));
    const error = await client(fake).placeOrder(orderRequest()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual(errors);
  });

  it('retries a network error (socket reset) with the same Idempotency-Key', async () => {
    const fake = await serve((_request, index) => (index === 0 ? 'reset' : { status: 202, body: ACCEPTED, headers: { location: `/orders/${ORDER_ID}`, 'idempotent-replayed': 'true' } }));
    const placed = await client(fake).placeOrder(orderRequest());

    expect(fake.requests).toHaveLength(2);
    const keys = fake.requests.map((request) => request.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(placed).toMatchObject({ outcome: 'accepted', orderId: ORDER_ID, idempotencyKey: keys[0], replayed: true, location: `/orders/${ORDER_ID}` });
  });

  it('throws NetworkError when the network fails on every attempt', async () => {
    const fake = await serve(() => 'reset');
    await expect(client(fake, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }).listProducts()).rejects.toBeInstanceOf(NetworkError);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('placeOrder', () => {
  it("sends the body, the caller's Idempotency-Key and Prefer: wait, and returns the completed view of a 200", async () => {
    const fake = await serve(() => ({ status: 200, body: VIEW, headers: { 'preference-applied': 'wait=5' } }));
    const placed = await client(fake).placeOrder(orderRequest(), { idempotencyKey: 'my-key-1', waitSeconds: 5 });

    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/orders' });
    expect(request?.headers).toMatchObject({ 'idempotency-key': 'my-key-1', prefer: 'wait=5', 'content-type': 'application/json', 'x-api-key': 'key-1' });
    expect(JSON.parse(request?.body ?? '')).toEqual(orderRequest());
    expect(placed).toMatchObject({ outcome: 'completed', order: VIEW, idempotencyKey: 'my-key-1', replayed: false });
  });

  it('generates a different key for each order', async () => {
    const fake = await serve(() => ({ status: 202, body: ACCEPTED }));
    const orders = client(fake);
    await orders.placeOrder(orderRequest());
    await orders.placeOrder(orderRequest());
    expect(fake.requests[0]?.headers['idempotency-key']).not.toBe(fake.requests[1]?.headers['idempotency-key']);
  });

  it('throws OrderFailed with the final view when the wait saw the order fail (422)', async () => {
    const failed = { ...VIEW, status: 'FAILED', failure: { code: 'PaymentDeclined', message: 'The card was declined', step: 'Authorize Payment' } };
    const fake = await serve(() => ({ status: 422, body: { message: 'The card was declined', ...failed } }));
    const error = await client(fake).placeOrder(orderRequest(), { waitSeconds: 5 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrderFailed);
    expect((error as OrderFailed).order).toEqual(failed);
    expect((error as OrderFailed).failure?.code).toBe('PaymentDeclined');
  });

  it('reports an unsellable order (422 with field errors) as ValidationError', async () => {
    const fake = await serve(() => ({ status: 422, body: { message: 'Some items cannot be ordered', errors: [{ path: 'items.0.sku', message: 'Unknown SKU' }] } }));
    await expect(client(fake).placeOrder(orderRequest())).rejects.toBeInstanceOf(ValidationError);
  });

  it('uses /integrations/orders for a signed client', async () => {
    const fake = await serve(() => ({ status: 202, body: ACCEPTED }));
    const signed = new OrdersClient({ baseUrl: fake.url, signer: () => Promise.resolve({ authorization: 'test' }) });
    await signed.placeOrder(orderRequest());
    expect(fake.requests[0]?.url).toBe('/integrations/orders');
  });
});

describe('timeouts and abort', () => {
  it('times out each attempt, retries, then throws RequestTimeout', async () => {
    const fake = await serve(() => 'hang');
    const error = await client(fake, { timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } })
      .listProducts()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeout);
    expect(fake.requests).toHaveLength(2);
  });

  it("rejects with the caller's abort reason during a request, without retrying", async () => {
    const fake = await serve(() => 'hang');
    const controller = new AbortController();
    const pending = client(fake).listProducts({ signal: controller.signal });
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects during a backoff as soon as the caller aborts', async () => {
    const fake = await serve(() => ({ status: 503, body: { message: 'unavailable' }, headers: { 'retry-after': '60' } }));
    const controller = new AbortController();
    const pending = client(fake, { onRetry: () => {
        controller.abort(new Error('stop'));
      }, }).listProducts({ signal: controller.signal });
    await expect(pending).rejects.toThrow('stop');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('waitForOrder', () => {
  it('polls until COMPLETED', async () => {
    const statuses = ['RECEIVED', 'SHIPPED', 'COMPLETED'];
    const fake = await serve((_request, index) => ({ status: 200, body: { ...VIEW, status: statuses[Math.min(index, 2)] } }));
    const view = await client(fake).waitForOrder(ORDER_ID, { intervalMs: 5 });
    expect(view.status).toBe('COMPLETED');
    expect(fake.requests.map((request) => request.url)).toEqual(Array(3).fill(`/orders/${ORDER_ID}`));
  });

  it('throws OrderFailed for FAILED, or resolves with it when asked to', async () => {
    const fake = await serve(() => ({ status: 200, body: { ...VIEW, status: 'FAILED', failure: { code: 'PaymentDeclined', message: 'Declined', step: 'Authorize Payment' } } }));
    await expect(client(fake).waitForOrder(ORDER_ID)).rejects.toBeInstanceOf(OrderFailed);
    await expect(client(fake).waitForOrder(ORDER_ID, { resolveFailed: true })).resolves.toMatchObject({ status: 'FAILED' });
  });

  it('throws WaitTimeout with the last view at the deadline', async () => {
    const fake = await serve(() => ({ status: 200, body: { ...VIEW, status: 'SHIPPED' } }));
    const error = await client(fake).waitForOrder(ORDER_ID, { deadlineMs: 50, intervalMs: 10 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeout);
    expect((error as WaitTimeout).order?.status).toBe('SHIPPED');
  });
});

describe('operator operations', () => {
  it('lists with the filters as query parameters and follows the cursor through every page', async () => {
    const pages = [
      { orders: [VIEW, VIEW], nextCursor: 'c1' },
      { orders: [VIEW], nextCursor: 'c2' },
      { orders: [VIEW], nextCursor: null },
    ];
    const fake = await serve((_request, index) => ({ status: 200, body: pages[index] }));
    const seen = [];
    for await (const order of client(fake).adminOrders({ status: 'FAILED', from: new Date('2026-12-01T00:00:00Z'), limit: 2 })) seen.push(order);

    expect(seen).toHaveLength(4);
    const queries = fake.requests.map((request) => new URL(request.url, 'http://x').searchParams);
    expect(queries.map((query) => query.get('cursor'))).toEqual([null, 'c1', 'c2']);
    expect(Object.fromEntries(queries[0] ?? [])).toEqual({ status: 'FAILED', from: '2026-12-01T00:00:00.000Z', limit: '2' });
    expect(fake.requests.every((request) => request.url.startsWith('/admin/orders?'))).toBe(true);
  });

  it('gets one order and retries a stuck one; a non-retryable order is Conflict', async () => {
    const fake = await serve((request) => {
      if (request.method === 'GET') return { status: 200, body: { ...VIEW, executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:x' } };
      return request.url.includes(ORDER_ID) ? { status: 202, body: { orderId: ORDER_ID, outcome: 'REDRIVEN', reason: 'COMPENSATION_FAILED', executionArn: 'arn', execution: { status: 'RUNNING', redriveCount: 1 }, links: { self: `/admin/orders/${ORDER_ID}` } } } : { status: 409, body: { message: 'Not retryable' } };
    });
    const orders = client(fake);
    await expect(orders.getAdminOrder(ORDER_ID)).resolves.toMatchObject({ executionArn: expect.stringContaining('execution') as unknown });
    await expect(orders.retryAdminOrder(ORDER_ID)).resolves.toMatchObject({ outcome: 'REDRIVEN' });
    await expect(orders.retryAdminOrder('ord_00000000000000000000000000000000')).rejects.toBeInstanceOf(Conflict);
    expect(fake.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET /admin/orders/${ORDER_ID}`,
      `POST /admin/orders/${ORDER_ID}/retry`,
      'POST /admin/orders/ord_00000000000000000000000000000000/retry',
    ]);
  });
});

describe('SigV4', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

  /** What API Gateway does: recompute the signature over the request as received, and compare. */
  async function expectedAuthorization(request: ReceivedRequest, host: string): Promise<string | undefined> {
    const url = new URL(request.url, `http://${host}`);
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials, sha256: Sha256 });
    const date = request.headers['x-amz-date'] as string;
    const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const headers: Record<string, string> = { host };
    for (const [name, value] of Object.entries(request.headers)) {
      if (['content-type', 'idempotency-key', 'accept'].includes(name) && typeof value === 'string') headers[name] = value;
    }
    const signed = await signer.sign(
      { method: request.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: request.body },
      { signingDate },
    );
    return signed.headers.authorization;
  }

  it('signs method, path, query, host and body so the receiver can verify them, and sends no API key', async () => {
    const fake = await serve(() => ({ status: 200, body: { orders: [] } }));
    const orders = new OrdersClient({ baseUrl: fake.url, signer: sigv4Signer({ region: 'eu-west-1', credentials }) });
    await orders.listAdminOrders({ status: 'FAILED', limit: 5 });
    await orders.placeOrder(orderRequest()).catch(() => undefined);

    const host = new URL(fake.url).host;
    for (const request of fake.requests) {
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
      expect(request.headers['x-api-key']).toBeUndefined();
      expect(request.headers.authorization).toBe(await expectedAuthorization(request, host));
    }
    // A tampered body would not verify: the signature covers it.
    const [, post] = fake.requests;
    if (!post) throw new Error('no POST received');
    expect(await expectedAuthorization({ ...post, body: post.body.replace('cust-1001', 'cust-9999') }, host)).not.toBe(post.headers.authorization);
  });
});

describe('subscribe', () => {
  it('sends the snapshot action, yields each newer view, drops older ones, and ends when the server closes', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const received: string[] = [];
    server.on('connection', (socket, request) => {
      received.push(request.url ?? '');
      socket.on('message', (data) => {
        received.push(Buffer.isBuffer(data) ? data.toString('utf8') : '(not text)');
        const at = (second: number, status: string) => JSON.stringify({ type: 'order', order: { ...VIEW, status, updatedAt: `2026-12-01T10:00:0${second}.000Z` } });
        socket.send(at(1, 'RECEIVED'));
        socket.send(at(3, 'SHIPPED'));
        socket.send(at(2, 'PAYMENT_AUTHORIZED'));
        socket.send(JSON.stringify({ type: 'order', order: { ...VIEW, orderId: 'ord_other' } }));
        socket.send(at(4, 'COMPLETED'));
        socket.close(1000);
      });
    });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const fake = await serve(() => ({ status: 200, body: { ...VIEW, links: { ...VIEW.links, updates: `ws://127.0.0.1:${port}/?orderId=${ORDER_ID}&ticket=t1` } } }));
      const statuses: string[] = [];
      for await (const view of client(fake).subscribe(ORDER_ID)) statuses.push(view.status);

      expect(statuses).toEqual(['RECEIVED', 'SHIPPED', 'COMPLETED']);
      expect(received).toEqual([`/?orderId=${ORDER_ID}&ticket=t1`, '{"action":"snapshot"}']);
    } finally {
      server.close();
    }
  });

  it('fails when the connection closes abnormally before the order is terminal', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket) => {
      socket.close(4001, 'Unauthorized');
    });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const fake = await serve(() => ({ status: 500 }));
      const iterate = async () => {
        for await (const _view of client(fake).subscribe(ORDER_ID, { updatesUrl: `ws://127.0.0.1:${port}/` })) {
          // nothing arrives
        }
      };
      await expect(iterate()).rejects.toThrow(/closed before the order was terminal \(code 4001: Unauthorized\)/);
      expect(fake.requests).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});

describe('request (raw answers)', () => {
  it('answers any status without throwing, sends a raw body as given, and lets the headers override the content type and key', async () => {
    const fake = await serve(() => ({ status: 415, body: { message: 'Content-Type must be application/json' } }));
    const response = await client(fake, { retry: false }).request('POST', '/orders', { rawBody: '{"a":', headers: { 'Content-Type': 'text/plain', 'X-Api-Key': 'other' } });

    expect(response).toMatchObject({ status: 415, body: { message: 'Content-Type must be application/json' } });
    expect(fake.requests[0]).toMatchObject({ body: '{"a":', headers: { 'content-type': 'text/plain', 'x-api-key': 'other' } });
  });
});
