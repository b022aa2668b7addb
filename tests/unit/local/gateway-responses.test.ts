import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGateway } from '../../../local/apigateway/api-gateway';
import { GatewayRejection, gatewayResponse } from '../../../local/apigateway/gateway-responses';
import type { LocalApi } from '../../../local/template/local-template';
import { loadTemplate, localTemplate, resourcesOfType } from '../../support/template';
import { FakeLambda, failure } from './fake-lambda';

const KEY = { name: 'storefront', id: 'key-1', value: 'value-1' };

interface RawGatewayResponse {
  StatusCode?: number | string;
  ResponseParameters?: { Headers?: Record<string, string | Record<string, unknown>> };
  ResponseTemplates?: Record<string, string>;
}

/** The API's GatewayResponses as template.yaml writes them (on the Api resource, or in Globals.Api). */
function templateGatewayResponses(): Record<string, RawGatewayResponse> {
  const [[, api] = []] = resourcesOfType('AWS::Serverless::Api');
  const globals = (loadTemplate() as { Globals: { Api?: Record<string, unknown> } }).Globals.Api;
  const responses = api?.Properties?.GatewayResponses ?? globals?.GatewayResponses;
  if (!responses) throw new Error('template.yaml: the API has no GatewayResponses');
  return responses as Record<string, RawGatewayResponse>;
}

describe("local API Gateway answers with the template's GatewayResponses", () => {
  let server: Server;
  let base: string;
  let lambda: FakeLambda;
  const template = localTemplate();
  const [api] = template.apis;

  beforeAll(async () => {
    if (!api) throw new Error('template.yaml has no AWS::Serverless::Api');
    lambda = new FakeLambda(Object.fromEntries(template.functions.map((fn) => [fn.logicalId, { fn, behaviour: () => failure('TypeError', 'boom') }])));
    const gateway = new ApiGateway(template.apis, template.functions, lambda, { apiKeys: [KEY], log: () => undefined });
    server = createServer((request, response) => void gateway.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = gateway.urls(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`)[api.logicalId] ?? '';
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });

  const post = (body: string, key: string | null = KEY.value) =>
    fetch(`${base}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body });
  /** Header values resolved as the local template resolves them (the origin is a !Sub of a parameter). */
  const resolvedHeaders = (type: string) => api?.gatewayResponses?.[type]?.headers ?? {};

  it("answers a body that fails the model with BAD_REQUEST_BODY's status, response template and headers", async () => {
    const configured = templateGatewayResponses().BAD_REQUEST_BODY;
    const response = await post('{"customerId":"c-1","unexpected":true}');
    expect(response.status).toBe(Number(configured?.StatusCode ?? 400));
    expect(await response.text()).toBe(configured?.ResponseTemplates?.['application/json']);
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    const headers = resolvedHeaders('BAD_REQUEST_BODY');
    expect(Object.keys(headers).sort()).toEqual(Object.keys(configured?.ResponseParameters?.Headers ?? {}).sort());
    for (const [name, value] of Object.entries(headers)) expect(response.headers.get(name)).toBe(value);
    const exposed = configured?.ResponseParameters?.Headers?.['Access-Control-Expose-Headers'];
    if (typeof exposed !== 'string') throw new Error('BAD_REQUEST_BODY sends no Access-Control-Expose-Headers literal');
    expect(response.headers.get('access-control-expose-headers')).toBe(exposed.replace(/^'(.*)'$/, '$1'));
    expect(lambda.calls).toHaveLength(0);
  });

  it('answers a body that is not JSON with the same BAD_REQUEST_BODY response, as API Gateway does', async () => {
    const response = await post('{"customerId":');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(templateGatewayResponses().BAD_REQUEST_BODY?.ResponseTemplates?.['application/json']);
  });

  it("sends DEFAULT_4XX's headers on a 403 and DEFAULT_5XX's on a 502, keeping API Gateway's message", async () => {
    const forbidden = await post('{}', null);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: 'Forbidden' });
    for (const [name, value] of Object.entries(resolvedHeaders('DEFAULT_4XX'))) expect(forbidden.headers.get(name)).toBe(value);

    const order = template.functions.flatMap((fn) => fn.routes).find((route) => route.method === 'GET' && route.path.includes('{'));
    const failed = await fetch(`${base}${order?.path.replace(/\{[^}]+\}/, 'o-1') ?? ''}`, { headers: { 'x-api-key': KEY.value } });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ message: 'Internal server error' });
    expect(Object.keys(resolvedHeaders('DEFAULT_5XX')).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(resolvedHeaders('DEFAULT_5XX'))) expect(failed.headers.get(name)).toBe(value);
  });
});

describe('gateway response selection', () => {
  const API: LocalApi = {
    logicalId: 'Api',
    stageName: 'dev',
    apiKeyRequired: true,
    corsPreflightNeedsKey: false,
    cors: { allowMethods: 'GET', allowHeaders: 'X-Api-Key', allowOrigin: 'https://shop.example' },
    models: {},
    gatewayResponses: {
      THROTTLED: { statusCode: 503, headers: { 'Retry-After': '1' }, templates: { 'application/json': '{"error":$context.error.messageString}' } },
      DEFAULT_4XX: { headers: { 'Access-Control-Allow-Origin': '*' }, templates: {} },
    },
  };

  it('prefers the entry for the response type, with its status code and $context.error.messageString filled in', () => {
    const reply = gatewayResponse(API, new GatewayRejection('THROTTLED', 429, 'Too Many Requests'));
    expect(reply).toMatchObject({ statusCode: 503, body: '{"error":"Too Many Requests"}', headers: { 'Retry-After': '1', 'x-amzn-ErrorType': 'TooManyRequestsException' } });
    expect(reply.headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });

  it('falls back to DEFAULT_4XX, and without any entry to the message and the CORS origin', () => {
    expect(gatewayResponse(API, new GatewayRejection('INVALID_API_KEY', 403, 'Forbidden'))).toMatchObject({
      statusCode: 403,
      body: '{"message":"Forbidden"}',
      headers: { 'Access-Control-Allow-Origin': '*' },
    });
    expect(gatewayResponse(API, new GatewayRejection('DEFAULT_5XX', 502, 'Internal server error'))).toMatchObject({
      statusCode: 502,
      body: '{"message":"Internal server error"}',
      headers: { 'Access-Control-Allow-Origin': 'https://shop.example' },
    });
  });
});
