import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalApi, LocalFunction } from '../template/local-template';
import { type LocalApiKey, identifyKey } from './api-key';
import type { IamAuthorizer, IamIdentity } from './iam-auth';
import { type GatewayReply, GatewayRejection, gatewayResponse } from './gateway-responses';
import { RequestHeaders } from './headers';
import { INTEGRATION_TIMEOUT_MS, integrate, proxyEvent } from './integrate';
import { type Route, buildRoutes, corsPreflight, findStage, matchRoute, pathParameters } from './routes';
import { Throttle } from './throttle';
import { readPayload, validateBody } from './validate';

export interface ApiGatewayOptions {
  apiKeys: LocalApiKey[];
  /** Verifies the AWS_IAM routes; without it they refuse every request, as with no credentials. */
  iam?: IamAuthorizer;
  integrationTimeoutMs?: number;
  log: (line: string) => void;
}

/**
 * A REST API (v1) emulation for the template's Api events: stage-prefixed routes, API keys,
 * usage-plan and stage throttling, the request validator and model, payload limit, CORS
 * preflight, Lambda proxy events, and API Gateway's error responses. Each stage of a request
 * is its own module: routes, api-key, throttle, validate, integrate.
 */
export class ApiGateway {
  private readonly routes: Route[];
  private readonly throttle = new Throttle();

  constructor(
    private readonly apis: LocalApi[],
    functions: LocalFunction[],
    private readonly lambda: LambdaInvoker,
    private readonly options: ApiGatewayOptions,
  ) {
    this.routes = buildRoutes(apis, functions);
  }

  /** Base URLs of each API, by logical id, for a server listening at `origin`. */
  urls(origin: string): Record<string, string> {
    return Object.fromEntries(this.apis.map((api) => [api.logicalId, `${origin}/${api.stageName}`]));
  }

  /** Handles one HTTP request. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const reply = await this.reply(request, requestId);
    response.writeHead(reply.statusCode, { 'x-amzn-RequestId': requestId, ...reply.headers });
    response.end(reply.body);
  }

  /** The stages in API Gateway's order; the first that rejects the request answers it. */
  private async reply(request: IncomingMessage, requestId: string): Promise<GatewayReply> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const stage = findStage(this.apis, requestPath(request.url ?? '/'));
    if (!stage) return gatewayResponse(undefined, new GatewayRejection('DEFAULT_4XX', 403, 'Forbidden'));
    const { api, path } = stage;
    const method = (request.method ?? 'GET').toUpperCase();
    const note = (detail: string) => { this.options.log(`API ${method} ${path}${detail}`); };

    const headers = new RequestHeaders(request.rawHeaders);
    const preflight = corsPreflight(this.routes, api, method, path);
    if (preflight) return preflight;
    const route = matchRoute(this.routes, api, method, path);
    if (route instanceof GatewayRejection) return gatewayResponse(api, route);
    const key = identifyKey(route.apiKeyRequired, headers, this.options.apiKeys);
    if (key instanceof GatewayRejection) return gatewayResponse(api, key);
    const throttled = this.throttle.take(route, key);
    if (throttled) return gatewayResponse(api, throttled);
    const raw = await readPayload(request);
    if (raw instanceof GatewayRejection) return gatewayResponse(api, raw);
    // SigV4 signs the body, so the IAM check needs it read first.
    let identity: IamIdentity | undefined;
    if (route.iam) {
      const methodArn = this.options.iam?.methodArn(api.logicalId, api.stageName, method, path);
      const authorized = this.options.iam && methodArn
        ? this.options.iam.authorize({ method, path: requestPath(request.url ?? '/'), query: url.search.slice(1), headers, body: raw }, methodArn)
        : new GatewayRejection('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException');
      if (authorized instanceof GatewayRejection) {
        note(` refused by the IAM authorizer (${authorized.errorType ?? ''})`);
        return gatewayResponse(api, authorized);
      }
      identity = authorized;
    }
    const invalid = validateBody(route.validator, headers.get('content-type'), raw, () => { note(' rejected by the request validator'); });
    if (invalid) return gatewayResponse(api, invalid);
    const parameters = pathParameters(route, path);
    if (parameters instanceof GatewayRejection) return gatewayResponse(api, parameters);

    const event = proxyEvent(request, url, { api, route, path, pathParameters: parameters, raw, requestId, key, headers, ...(identity ? { identity } : {}) });
    const timeoutMs = this.options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
    const result = await integrate(this.lambda, event, { route, timeoutMs, onFailure: (reason) => { note(`: ${reason}`); } });
    return result instanceof GatewayRejection ? gatewayResponse(api, result) : result;
  }
}

/**
 * The request's path as the client sent it, without the query. WHATWG URL parsing would resolve
 * `.`/`..` segments (also `%2e%2e`) and turn `\` into `/`, so `/x/%2e%2e/dev/orders` would be served
 * as `/dev/orders`; API Gateway matches the path as sent, where such a path has no resource.
 */
export function requestPath(target: string): string {
  const path = target.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/, 1)[0] ?? '';
  return path.startsWith('/') ? path : `/${path}`;
}
