import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalApi, LocalFunction } from '../template/local-template';
import { Quota, TokenBucket } from './token-bucket';

export interface LocalApiKey {
  name: string;
  id: string;
  value: string;
}

interface Route {
  api: LocalApi;
  fn: LocalFunction;
  method: string;
  resource: string;
  pattern: RegExp;
  parameterNames: string[];
  apiKeyRequired: boolean;
  validator?: { required: boolean; validate: ValidateFunction };
  throttle?: TokenBucket;
}

/** API Gateway's own payload limit for REST APIs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway's default integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;

export interface ApiGatewayOptions {
  apiKeys: LocalApiKey[];
  integrationTimeoutMs?: number;
  log: (line: string) => void;
}

/**
 * A REST API (v1) emulation for the template's Api events: stage-prefixed routes, API keys,
 * usage-plan and stage throttling, the request validator and model, payload limit, CORS
 * preflight, Lambda proxy events, and API Gateway's error responses.
 */
export class ApiGateway {
  private readonly routes: Route[] = [];
  private readonly keyLimits = new Map<string, { bucket?: TokenBucket; quota?: Quota }>();

  constructor(
    private readonly apis: LocalApi[],
    functions: LocalFunction[],
    private readonly lambda: LambdaInvoker,
    private readonly options: ApiGatewayOptions,
  ) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validators = new Map<string, ValidateFunction>();
    for (const fn of functions) {
      for (const route of fn.routes) {
        const api = apis.find((candidate) => candidate.logicalId === route.apiLogicalId);
        if (!api) continue;
        const parameterNames: string[] = [];
        const pattern = new RegExp(
          '^' +
            route.path.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
              const greedy = name.endsWith('+');
              parameterNames.push(greedy ? name.slice(0, -1) : name);
              return greedy ? '(.+)' : '([^/]+)';
            }) +
            '/?$',
        );
        let validator: Route['validator'];
        if (route.model?.validateBody) {
          const key = `${api.logicalId}/${route.model.name}`;
          let validate = validators.get(key);
          if (!validate) {
            const schema = api.models[route.model.name];
            if (!schema) throw new Error(`${fn.logicalId}: model ${route.model.name} is not defined on ${api.logicalId}`);
            validate = ajv.compile(schema);
            validators.set(key, validate);
          }
          validator = { required: route.model.required, validate };
        }
        this.routes.push({
          api,
          fn,
          method: route.method,
          resource: route.path,
          pattern,
          parameterNames,
          apiKeyRequired: route.apiKeyRequired,
          ...(validator ? { validator } : {}),
          ...(api.stageThrottle ? { throttle: new TokenBucket(api.stageThrottle.rateLimit, api.stageThrottle.burstLimit) } : {}),
        });
      }
    }
  }

  /** Base URLs of each API, by logical id, for a server listening at `origin`. */
  urls(origin: string): Record<string, string> {
    return Object.fromEntries(this.apis.map((api) => [api.logicalId, `${origin}/${api.stageName}`]));
  }

  private limitsFor(api: LocalApi, key: LocalApiKey): { bucket?: TokenBucket; quota?: Quota } {
    const id = `${api.logicalId}/${key.id}`;
    let limits = this.keyLimits.get(id);
    if (!limits) {
      limits = {
        ...(api.usagePlan ? { bucket: new TokenBucket(api.usagePlan.rateLimit, api.usagePlan.burstLimit) } : {}),
        ...(api.usagePlan?.quota ? { quota: new Quota(api.usagePlan.quota.limit, api.usagePlan.quota.period) } : {}),
      };
      this.keyLimits.set(id, limits);
    }
    return limits;
  }

  /** Handles one HTTP request. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const send = (statusCode: number, body: string, headers: Record<string, string | string[]> = {}) => {
      response.writeHead(statusCode, { 'x-amzn-RequestId': requestId, ...headers });
      response.end(body);
    };
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [, stage = '', ...rest] = url.pathname.split('/');
    const api = this.apis.find((candidate) => candidate.stageName === stage);
    const path = `/${rest.join('/')}`;
    const corsHeaders: Record<string, string> = api?.cors ? { 'Access-Control-Allow-Origin': api.cors.allowOrigin } : {};
    const gatewayError = (statusCode: number, message: string) => {
      send(statusCode, JSON.stringify({ message }), { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorTypeFor(statusCode), ...corsHeaders });
    };
    if (!api) { gatewayError(403, 'Forbidden'); return; }
    const method = (request.method ?? 'GET').toUpperCase();

    if (method === 'OPTIONS' && api.cors && !api.corsPreflightNeedsKey) {
      send(200, '', {
        'Access-Control-Allow-Origin': api.cors.allowOrigin,
        'Access-Control-Allow-Methods': api.cors.allowMethods,
        'Access-Control-Allow-Headers': api.cors.allowHeaders,
        ...(api.cors.maxAge ? { 'Access-Control-Max-Age': api.cors.maxAge } : {}),
        'Content-Length': '0',
      }); return;
    }

    const candidates = this.routes.filter((route) => route.api === api && route.pattern.test(path));
    const route = candidates.find((candidate) => candidate.method === method || candidate.method === 'ANY');
    // Like API Gateway, an unknown route or method answers 403, never revealing which routes exist.
    if (!route) { gatewayError(403, 'Missing Authentication Token'); return; }

    const apiKeyValue = headerValue(request.headers['x-api-key']);
    const key = apiKeyValue ? this.options.apiKeys.find((candidate) => candidate.value === apiKeyValue) : undefined;
    if (route.apiKeyRequired && !key) { gatewayError(403, 'Forbidden'); return; }
    if (key && route.apiKeyRequired) {
      const limits = this.limitsFor(api, key);
      if (limits.bucket && !limits.bucket.take()) { gatewayError(429, 'Too Many Requests'); return; }
      if (limits.quota && !limits.quota.take()) { gatewayError(429, 'Limit Exceeded'); return; }
    }
    if (route.throttle && !route.throttle.take()) { gatewayError(429, 'Too Many Requests'); return; }

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_PAYLOAD_BYTES) { gatewayError(413, 'Request Too Long'); return; }
      chunks.push(buffer);
    }
    const raw = Buffer.concat(chunks);

    if (route.validator) {
      const contentType = headerValue(request.headers['content-type'])?.split(';')[0]?.trim().toLowerCase() ?? 'application/json';
      if (contentType === 'application/json') {
        let body: unknown;
        try {
          body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
        } catch {
          gatewayError(400, 'Invalid request body'); return;
        }
        if ((body === undefined && route.validator.required) || (body !== undefined && !route.validator.validate(body))) {
          this.options.log(`API ${method} ${path} rejected by the request validator`);
          send(
            400,
            JSON.stringify({ message: 'The order request is invalid', errors: [{ path: '(body)', message: 'Does not match the request model' }] }),
            { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'BadRequestException', ...corsHeaders },
          ); return;
        }
      }
    }

    const match = route.pattern.exec(path);
    let pathParameters: Record<string, string> | null = null;
    try {
      pathParameters = route.parameterNames.length
        ? Object.fromEntries(route.parameterNames.map((name, index) => [name, decodeURIComponent(match?.[index + 1] ?? '')]))
        : null;
    } catch {
      // A malformed percent-encoding (e.g. %ZZ) never reaches the integration.
      gatewayError(400, 'Bad request: malformed URI encoding'); return;
    }
    const event = proxyEvent(request, url, { api, route, path, pathParameters, raw, requestId, key });

    const timeoutMs = this.options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => { resolve('timeout'); }, timeoutMs);
    });
    const result = await Promise.race([this.lambda.invoke(route.fn.logicalId, event), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') { gatewayError(504, 'Endpoint request timed out'); return; }
    if (!result.ok) {
      this.options.log(`API ${method} ${path}: ${route.fn.logicalId} failed with ${result.error.errorType}`);
      gatewayError(502, 'Internal server error'); return;
    }
    const proxy = parseProxyResult(result.payload);
    if (!proxy) {
      this.options.log(`API ${method} ${path}: ${route.fn.logicalId} returned a malformed Lambda proxy response`);
      gatewayError(502, 'Internal server error'); return;
    }
    const headers: Record<string, string | string[]> = { ...proxy.multiValueHeaders, ...proxy.headers };
    send(proxy.statusCode, proxy.isBase64Encoded ? Buffer.from(proxy.body, 'base64').toString('binary') : proxy.body, headers);
  }
}

function errorTypeFor(statusCode: number): string {
  return { 403: 'ForbiddenException', 429: 'TooManyRequestsException', 413: 'RequestTooLongException', 502: 'InternalServerErrorException', 504: 'IntegrationTimeout' }[statusCode] ?? 'BadRequestException';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.at(-1) : value;
}

function proxyEvent(
  request: IncomingMessage,
  url: URL,
  context: { api: LocalApi; route: Route; path: string; pathParameters: Record<string, string> | null; raw: Buffer; requestId: string; key: LocalApiKey | undefined },
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const value = request.rawHeaders[index + 1] ?? '';
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
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
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: headerValue(request.headers['user-agent']) ?? null,
        user: null,
        apiKeyId: context.key?.id ?? null,
        apiKey: context.key?.value ?? null,
      },
      domainName: headerValue(request.headers.host) ?? 'localhost',
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
