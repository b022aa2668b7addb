import type { IncomingMessage } from 'node:http';
import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalApi } from '../template/local-template';
import type { LocalApiKey } from './api-key';
import type { IamIdentity } from './iam-auth';
import { type GatewayReply, GatewayRejection } from './gateway-responses';
import type { RequestHeaders } from './headers';
import type { Route } from './routes';

/** API Gateway's default integration timeout. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** What the proxy event says about the request besides the HTTP message itself. */
export interface ProxyContext {
  api: LocalApi;
  route: Route;
  path: string;
  pathParameters: Record<string, string> | null;
  raw: Buffer;
  requestId: string;
  key: LocalApiKey | undefined;
  /** The headers every stage read, so the function sees the request the validator checked. */
  headers: RequestHeaders;
  /** The SigV4 caller of an AWS_IAM route. */
  identity?: IamIdentity;
}

/**
 * The integrate stage: invokes the route's function with a REST v1 proxy event and turns its
 * proxy result into the response. A failed function or a malformed result is a 502, a slow one a 504;
 * `onFailure` hears why.
 */
export async function integrate(
  lambda: LambdaInvoker,
  event: Record<string, unknown>,
  context: { route: Route; timeoutMs: number; onFailure: (reason: string) => void },
): Promise<GatewayReply | GatewayRejection> {
  const { route } = context;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => { resolve('timeout'); }, context.timeoutMs);
  });
  const result = await Promise.race([lambda.invoke(route.fn.logicalId, event), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') return new GatewayRejection('INTEGRATION_TIMEOUT', 504, 'Endpoint request timed out');
  if (!result.ok) {
    context.onFailure(`${route.fn.logicalId} failed with ${result.error.errorType}`);
    return new GatewayRejection('DEFAULT_5XX', 502, 'Internal server error');
  }
  const proxy = parseProxyResult(result.payload);
  if (!proxy) {
    context.onFailure(`${route.fn.logicalId} returned a malformed Lambda proxy response`);
    return new GatewayRejection('DEFAULT_5XX', 502, 'Internal server error');
  }
  return {
    statusCode: proxy.statusCode,
    headers: { ...proxy.multiValueHeaders, ...proxy.headers },
    body: proxy.isBase64Encoded ? Buffer.from(proxy.body, 'base64').toString('binary') : proxy.body,
  };
}

/** The REST v1 (payload format 1.0) Lambda proxy event for a request. */
export function proxyEvent(request: IncomingMessage, url: URL, context: ProxyContext): Record<string, unknown> {
  const { headers, multiValueHeaders } = context.headers;
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const text = context.raw.toString('utf8');
  const binary = context.raw.length > 0 && Buffer.from(text, 'utf8').compare(context.raw) !== 0;
  const now = new Date();
  const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return {
    resource: context.route.resource,
    path: context.path,
    httpMethod: context.route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: context.pathParameters,
    stageVariables: null,
    requestContext: {
      resourceId: 'local',
      resourcePath: context.route.resource,
      httpMethod: context.route.method,
      extendedRequestId: context.requestId,
      requestTime: now.toUTCString(),
      path: `/${context.api.stageName}${context.path}`,
      accountId: '000000000000',
      protocol: `HTTP/${request.httpVersion}`,
      stage: context.api.stageName,
      domainPrefix: 'localhost',
      requestTimeEpoch: now.getTime(),
      requestId: context.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: context.identity?.accountId ?? null,
        cognitoIdentityId: null,
        caller: context.identity?.caller ?? null,
        sourceIp,
        principalOrgId: null,
        accessKey: context.identity?.accessKey ?? null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: context.identity?.userArn ?? null,
        userAgent: context.headers.get('user-agent') ?? null,
        user: context.identity?.user ?? null,
        apiKeyId: context.key?.id ?? null,
        apiKey: context.key?.value ?? null,
      },
      domainName: context.headers.get('host') ?? 'localhost',
      apiId: 'local',
    },
    body: context.raw.length === 0 ? null : binary ? context.raw.toString('base64') : text,
    isBase64Encoded: binary,
  };
}

interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

/** Validates a Lambda proxy response as API Gateway does; undefined means 502. */
function parseProxyResult(payload: unknown): ProxyResult | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const candidate = payload as Record<string, unknown>;
  const statusCode = candidate.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const allowed = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded', 'cookies']);
  if (Object.keys(candidate).some((key) => !allowed.has(key))) return undefined;
  const headers: unknown = candidate.headers ?? {};
  const multi: unknown = candidate.multiValueHeaders ?? {};
  if (typeof headers !== 'object' || headers === null || typeof multi !== 'object' || multi === null) return undefined;
  if (candidate.body !== undefined && candidate.body !== null && typeof candidate.body !== 'string') return undefined;
  return {
    statusCode,
    headers: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, String(value)])),
    multiValueHeaders: Object.fromEntries(Object.entries(multi).map(([key, value]) => [key, Array.isArray(value) ? value.map(String) : [String(value)]])),
    body: typeof candidate.body === 'string' ? candidate.body : '',
    isBase64Encoded: candidate.isBase64Encoded === true,
  };
}
