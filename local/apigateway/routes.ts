import type { LocalApi, LocalFunction } from '../template/local-template';
import { type GatewayReply, GatewayRejection } from './gateway-responses';
import { TokenBucket } from './token-bucket';
import { type BodyValidator, ModelValidators } from './validate';

/** One method on one resource, as an Api event declares it. */
export interface Route {
  api: LocalApi;
  fn: LocalFunction;
  method: string;
  resource: string;
  pattern: RegExp;
  parameterNames: string[];
  apiKeyRequired: boolean;
  /** An AWS_IAM route: SigV4 and the caller's execute-api:Invoke policy (iam-auth.ts). */
  iam: boolean;
  validator?: BodyValidator;
  /** The stage's method throttle (MethodSettings `/*` `*`), per route as API Gateway applies it. */
  throttle?: TokenBucket;
}

/** Every function's Api events on the given APIs, with path patterns and compiled models. */
export function buildRoutes(apis: readonly LocalApi[], functions: readonly LocalFunction[]): Route[] {
  const validators = new ModelValidators();
  const routes: Route[] = [];
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
      const validator = route.model?.validateBody ? validators.forModel(api, route.model, fn.logicalId) : undefined;
      routes.push({
        api,
        fn,
        method: route.method,
        resource: route.path,
        pattern,
        parameterNames,
        apiKeyRequired: route.apiKeyRequired,
        iam: route.iam === true,
        ...(validator ? { validator } : {}),
        ...(api.stageThrottle ? { throttle: new TokenBucket(api.stageThrottle.rateLimit, api.stageThrottle.burstLimit) } : {}),
      });
    }
  }
  return routes;
}

/** The API whose stage the path starts with, and the path below the stage. */
export function findStage(apis: readonly LocalApi[], pathname: string): { api: LocalApi; path: string } | undefined {
  const [, stage = '', ...rest] = pathname.split('/');
  const api = apis.find((candidate) => candidate.stageName === stage);
  return api ? { api, path: `/${rest.join('/')}` } : undefined;
}

/**
 * The CORS preflight answer, when the API answers OPTIONS itself (no key needed for preflight).
 * SAM adds the OPTIONS method to each resource of the API, so a path with no resource has none
 * and falls through to the route stage's 403.
 */
export function corsPreflight(routes: readonly Route[], api: LocalApi, method: string, path: string): GatewayReply | undefined {
  if (method !== 'OPTIONS' || !api.cors || api.corsPreflightNeedsKey) return undefined;
  if (!routes.some((route) => route.api === api && route.pattern.test(path))) return undefined;
  return {
    statusCode: 200,
    headers: {
      'Access-Control-Allow-Origin': api.cors.allowOrigin,
      'Access-Control-Allow-Methods': api.cors.allowMethods,
      'Access-Control-Allow-Headers': api.cors.allowHeaders,
      ...(api.cors.maxAge ? { 'Access-Control-Max-Age': api.cors.maxAge } : {}),
      'Content-Length': '0',
    },
    body: '',
  };
}

/** The route stage: the route for this method and path (ANY matches every method). */
export function matchRoute(routes: readonly Route[], api: LocalApi, method: string, path: string): Route | GatewayRejection {
  const candidates = routes.filter((route) => route.api === api && route.pattern.test(path));
  const route = candidates.find((candidate) => candidate.method === method || candidate.method === 'ANY');
  // Like API Gateway, an unknown route or method answers 403, never revealing which routes exist.
  return route ?? new GatewayRejection('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token');
}

/** The route's path parameters, percent-decoded; null when the resource has none. */
export function pathParameters(route: Route, path: string): Record<string, string> | null | GatewayRejection {
  const match = route.pattern.exec(path);
  try {
    return route.parameterNames.length
      ? Object.fromEntries(route.parameterNames.map((name, index) => [name, decodeURIComponent(match?.[index + 1] ?? '')]))
      : null;
  } catch {
    // A malformed percent-encoding (e.g. %ZZ) never reaches the integration.
    return new GatewayRejection('DEFAULT_4XX', 400, 'Bad request: malformed URI encoding');
  }
}
