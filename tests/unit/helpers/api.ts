import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export { lambdaContext } from '../../support/lambda-context';

/** The API key id the unit tests call the API with, unless a test says otherwise. */
export const OWNER_KEY = 'key-a';
export const OTHER_KEY = 'key-b';

export interface ApiEventOptions {
  method?: string;
  /** The resource path as API Gateway reports it in `path` (no stage), e.g. '/orders'. */
  path?: string;
  stage?: string;
  headers?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
  pathParameters?: Record<string, string> | null;
  /** null simulates a request that reached the function without an API key. */
  apiKeyId?: string | null;
}

/** An API Gateway REST (v1) proxy event as the function receives it behind a `dev` stage. */
export function apiEvent(options: ApiEventOptions = {}): APIGatewayProxyEvent {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/orders';
  const stage = options.stage ?? 'dev';
  const headers = options.headers ?? {};
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/${stage}${path}`,
      stage,
      requestId: 'request-1',
      requestTimeEpoch: 1795600800000,
      resourceId: 'a1b2c3',
      resourcePath: path,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: options.apiKeyId === undefined ? OWNER_KEY : options.apiKeyId,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: 'jest',
        userArn: null,
      },
    },
  };
}

/** POST /orders with a JSON body (an object is serialised) and extra headers. */
export function createOrderEvent(body: unknown, headers: Record<string, string> = {}, options: ApiEventOptions = {}): APIGatewayProxyEvent {
  return apiEvent({
    method: 'POST',
    path: '/orders',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...options,
  });
}

/** GET /orders/{orderId}[/receipt]. */
export function orderEvent(orderId: string, options: ApiEventOptions & { receipt?: boolean } = {}): APIGatewayProxyEvent {
  const { receipt, ...rest } = options;
  return apiEvent({ path: `/orders/${orderId}${receipt ? '/receipt' : ''}`, pathParameters: { orderId }, ...rest });
}

export interface ParsedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
}

/** Parses the JSON body of a handler response. */
export function parseResponse(response: APIGatewayProxyResult): ParsedResponse {
  return { statusCode: response.statusCode, headers: response.headers ?? {}, body: JSON.parse(response.body) as Record<string, unknown> };
}

/**
 * The same request as `sam local start-api` builds it (samcli's construct_v1_event): no
 * `identity.apiKeyId` (SAM does not emulate API keys), and `requestContext.path` is the resource
 * path with no stage prefix. `resource` is the route, e.g. '/orders/{orderId}'.
 */
export function samLocalEvent(options: ApiEventOptions & { resource?: string }): APIGatewayProxyEvent {
  const { resource, ...rest } = options;
  const event = apiEvent({ ...rest, apiKeyId: null });
  const { apiKeyId: _absent, ...identity } = event.requestContext.identity;
  const route = resource ?? event.path;
  return {
    ...event,
    resource: route,
    requestContext: { ...event.requestContext, path: route, resourcePath: route, identity: identity as APIGatewayProxyEvent['requestContext']['identity'] },
  };
}
