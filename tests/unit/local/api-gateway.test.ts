import { type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGateway } from '../../../local/apigateway/api-gateway';
import type { LocalApi } from '../../../local/template/local-template';
import { FakeLambda, failure, localFunction, ok } from './fake-lambda';

const KEYS = [
  { name: 'a', id: 'key-a', value: 'value-a' },
  { name: 'b', id: 'key-b', value: 'value-b' },
];
const API: LocalApi = {
  logicalId: 'Api',
  stageName: 'dev',
  apiKeyRequired: true,
  corsPreflightNeedsKey: false,
  cors: { allowMethods: 'GET,POST,OPTIONS', allowHeaders: 'Content-Type,X-Api-Key', allowOrigin: '*', maxAge: '600' },
  usagePlan: { rateLimit: 1, burstLimit: 3 },
  models: { Thing: { type: 'object', required: ['name'], properties: { name: { type: 'string' } }, additionalProperties: false } },
};

let server: Server;
let base: string;
let lambda: FakeLambda;
let behaviour: (event: unknown) => ReturnType<typeof ok> | Promise<ReturnType<typeof ok>> = () => ok({ statusCode: 200, body: '{}' });

beforeEach(async () => {
  const fn = localFunction('ThingFunction', {
    routes: [
      { apiLogicalId: 'Api', method: 'GET', path: '/things/{thingId}', apiKeyRequired: true },
      { apiLogicalId: 'Api', method: 'POST', path: '/things', apiKeyRequired: true, model: { name: 'Thing', required: true, validateBody: true } },
    ],
  });
  lambda = new FakeLambda({ ThingFunction: { fn, behaviour: (event) => behaviour(event) } });
  const gateway = new ApiGateway([API], [fn], lambda, { apiKeys: KEYS, integrationTimeoutMs: 200, log: () => undefined });
  server = createServer((request, response) => void gateway.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/dev`;
  behaviour = () => ok({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
});

const get = (path: string, key: string | null = 'value-a') => fetch(`${base}${path}`, { headers: key ? { 'x-api-key': key } : {} });

describe('local API Gateway', () => {
  it('builds a REST v1 proxy event with the stage path, path parameters and the caller key id', async () => {
    const response = await fetch(`${base}/things/t%201?x=1&x=2`, { headers: { 'x-api-key': 'value-b', 'X-Custom': 'yes' } });
    expect(response.status).toBe(200);
    const event = lambda.calls[0]?.event as Record<string, unknown> & { requestContext: Record<string, unknown> & { identity: Record<string, unknown> } };
    expect(event).toMatchObject({
      resource: '/things/{thingId}',
      path: '/things/t%201',
      httpMethod: 'GET',
      pathParameters: { thingId: 't 1' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      body: null,
      isBase64Encoded: false,
    });
    expect(event.requestContext).toMatchObject({ stage: 'dev', path: '/dev/things/t%201', resourcePath: '/things/{thingId}' });
    expect(event.requestContext.identity).toMatchObject({ apiKeyId: 'key-b', sourceIp: '127.0.0.1' });
    expect((event.headers as Record<string, string>)['X-Custom'] ?? (event.headers as Record<string, string>)['x-custom']).toBe('yes');
  });

  it('answers 403 Forbidden without a valid key, and for unknown routes', async () => {
    for (const response of [await get('/things/1', null), await get('/things/1', 'wrong')]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Forbidden' });
    }
    expect((await get('/nowhere')).status).toBe(403);
    expect((await fetch(`${base.replace('/dev', '/prod')}/things/1`, { headers: { 'x-api-key': 'value-a' } })).status).toBe(403);
    expect(lambda.calls).toHaveLength(0);
  });

  it('throttles each key with its own usage-plan bucket', async () => {
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await get('/things/1', 'value-a')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await get('/things/1', 'value-a');
    expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
    expect((await get('/things/1', 'value-b')).status).toBe(200);
  });

  it('applies the request validator model before the function runs', async () => {
    const post = (body: string) => fetch(`${base}/things`, { method: 'POST', headers: { 'x-api-key': 'value-b', 'Content-Type': 'application/json' }, body });
    expect((await post('{"name":"x","extra":1}')).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect(lambda.calls).toHaveLength(0);
    expect((await post('{"name":"x"}')).status).toBe(200);
  });

  it('answers a CORS preflight without an API key', async () => {
    const response = await fetch(`${base}/things`, { method: 'OPTIONS' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('turns a malformed proxy response or a function error into 502, and a slow function into 504', async () => {
    behaviour = () => ok({ body: 'no status code' });
    expect((await get('/things/1', 'value-b')).status).toBe(502);
    behaviour = () => failure('TypeError', 'boom');
    const crashed = await get('/things/1', 'value-b');
    expect(crashed.status).toBe(502);
    expect(await crashed.json()).toEqual({ message: 'Internal server error' });
    behaviour = () => new Promise((resolve) => setTimeout(() => { resolve(ok({ statusCode: 200 })); }, 400));
    expect((await get('/things/1', 'value-b')).status).toBe(504);
  });
});

describe('local API Gateway, malformed paths', () => {
  it('answers 400 (not 500) for a malformed percent-encoding in a path parameter', async () => {
    const response = await get('/things/%ZZ', 'value-b');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Bad request: malformed URI encoding' });
    expect(lambda.calls).toHaveLength(0);
  });
});

/** A request with the path and headers exactly as given (repeats included), which fetch would normalise and merge. */
function rawRequest(method: string, path: string, headers: [string, string][], body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port, host } = new URL(base);
    const flat = ['Host', host, ...headers.flat(), 'Content-Length', String(Buffer.byteLength(body))];
    const outgoing = httpRequest({ hostname, port, path, method, headers: flat }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => { resolve({ status: response.statusCode ?? 0, body: text }); });
    });
    outgoing.on('error', reject).end(body);
  });
}

describe('local API Gateway, duplicate headers', () => {
  it('validates the last Content-Type, the one the function sees, and passes every value in multiValueHeaders', async () => {
    const invalid = '{"extra":1}';
    const twoTypes = await rawRequest('POST', '/dev/things', [['x-api-key', 'value-b'], ['Content-Type', 'text/plain'], ['Content-Type', 'application/json']], invalid);
    expect(twoTypes.status).toBe(400);
    expect(lambda.calls).toHaveLength(0);

    const valid = await rawRequest('POST', '/dev/things', [['x-api-key', 'value-b'], ['Content-Type', 'text/plain'], ['content-type', 'application/json']], '{"name":"x"}');
    expect(valid.status).toBe(200);
    const event = lambda.calls[0]?.event as { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> };
    expect(event.headers['Content-Type']).toBe('application/json');
    expect(event.headers).not.toHaveProperty('content-type');
    expect(event.multiValueHeaders['Content-Type']).toEqual(['text/plain', 'application/json']);
  });

  it('takes the last of two x-api-key headers, as the key stage and the event both read it', async () => {
    const response = await rawRequest('GET', '/dev/things/1', [['x-api-key', 'value-a'], ['x-api-key', 'value-b']]);
    expect(response.status).toBe(200);
    expect((lambda.calls[0]?.event as { requestContext: { identity: { apiKeyId: string } } }).requestContext.identity.apiKeyId).toBe('key-b');
  });
});

describe('local API Gateway, paths with no resource', () => {
  it('answers OPTIONS on a path with no resource 403 Missing Authentication Token, not a preflight', async () => {
    const response = await fetch(`${base}/nowhere`, { method: 'OPTIONS' });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('does not resolve dot segments or backslashes into a served path', async () => {
    for (const path of ['/x/%2e%2e/dev/things/1', '/x/../dev/things/1', '/dev/nowhere/%2E%2E/things/1', '/dev\\things\\1', '/dev/things\\1/..']) {
      const response = await rawRequest('GET', path, [['x-api-key', 'value-b']]);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
    expect(lambda.calls).toHaveLength(0);
  });
});
