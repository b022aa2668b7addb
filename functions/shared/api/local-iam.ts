import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ConfigurationError } from '#platform/config';
import { json } from './http';
import { iamWildcard, verifySigV4 } from './sigv4';

/**
 * The local IAM users for `sam local start-api`, which does not emulate AWS_IAM auth: its events
 * carry no `identity.userArn`. LOCAL_IAM_PRINCIPALS is the JSON npm start writes into env.json from
 * local/config.json and the template's managed policies: each user's keys, ARN and the routes its
 * policies allow, as `METHOD/path` patterns (`GET/integrations/orders/*`).
 */
export interface LocalIamPrincipalEntry {
  accessKeyId: string;
  secretAccessKey: string;
  userArn: string;
  allow: string[];
}

export type SamLocalIamResult = { ok: true; userArn: string } | { ok: false; response: APIGatewayProxyResult };

export interface SamLocalIam {
  /** Verifies a signed request to an IAM route: the caller's ARN, or API Gateway's 403. */
  authorize(event: APIGatewayProxyEvent, now?: number): SamLocalIamResult;
  /** Whether some local principal's policy names this route, i.e. it is one of the AWS_IAM routes. */
  isIamRoute(event: APIGatewayProxyEvent): boolean;
}

function isEntry(value: unknown): value is LocalIamPrincipalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return ['accessKeyId', 'secretAccessKey', 'userArn'].every((key) => typeof entry[key] === 'string') && Array.isArray(entry.allow) && entry.allow.every((item) => typeof item === 'string');
}

const forbidden = (message: string, errorType: string, field: 'message' | 'Message' = 'message') => json(403, { [field]: message }, { 'x-amzn-ErrorType': errorType });

/** Parses LOCAL_IAM_PRINCIPALS; a malformed value fails the cold start, not each request. */
export function parseLocalIamPrincipals(raw: string, region: string): SamLocalIam {
  let parsed: unknown;
  try {
    parsed = raw.trim() === '' ? [] : JSON.parse(raw);
  } catch {
    throw new ConfigurationError('LOCAL_IAM_PRINCIPALS must be the JSON list npm start writes into env.json');
  }
  if (!Array.isArray(parsed) || !parsed.every(isEntry)) throw new ConfigurationError('LOCAL_IAM_PRINCIPALS must list {accessKeyId, secretAccessKey, userArn, allow}');
  const principals = new Map(parsed.map((entry) => [entry.accessKeyId, entry]));
  const patterns = new Map(parsed.map((entry) => [entry.accessKeyId, entry.allow.map(iamWildcard)]));
  const routeOf = (event: APIGatewayProxyEvent) => {
    const raw = event as Partial<APIGatewayProxyEvent>;
    return `${raw.httpMethod ?? 'GET'}${raw.path ?? '/'}`;
  };
  return {
    isIamRoute(event) {
      const route = routeOf(event);
      return [...patterns.values()].some((list) => list.some((pattern) => pattern.test(route)));
    },
    authorize(event, now = Date.now()) {
      // A partial event (a direct invoke) must get a 403, never a TypeError.
      const raw = event as Partial<APIGatewayProxyEvent>;
      const headers = raw.multiValueHeaders ?? Object.fromEntries(Object.entries(raw.headers ?? {}).map(([name, value]) => [name, [value ?? '']]));
      const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, values]) => [name, (values ?? []).map(String)]));
      const get = (name: string) => Object.entries(multiValueHeaders).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1].at(-1);
      const query = Object.entries(raw.multiValueQueryStringParameters ?? {}).flatMap(([name, values]) => (values ?? []).map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)).join('&');
      const body = raw.body ? Buffer.from(raw.body, raw.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
      const verified = verifySigV4(
        { method: raw.httpMethod ?? 'GET', path: raw.path ?? '/', query, headers: { multiValueHeaders, get }, body },
        { region, now, secretFor: (id) => principals.get(id)?.secretAccessKey },
      );
      if ('kind' in verified) {
        if (verified.kind === 'unsigned') return { ok: false, response: forbidden('Missing Authentication Token', 'MissingAuthenticationTokenException') };
        return { ok: false, response: forbidden(verified.message, verified.kind === 'unknownKey' ? 'UnrecognizedClientException' : 'InvalidSignatureException') };
      }
      const principal = principals.get(verified.accessKeyId);
      const route = routeOf(event);
      if (!principal || !(patterns.get(verified.accessKeyId) ?? []).some((pattern) => pattern.test(route))) {
        return { ok: false, response: forbidden(`User: ${principal?.userArn ?? 'anonymous'} is not authorized to perform: execute-api:Invoke on resource: ${route}`, 'AccessDeniedException', 'Message') };
      }
      return { ok: true, userArn: principal.userArn };
    },
  };
}

/** Only under `sam local` (AWS_SAM_LOCAL=true); on AWS, API Gateway has verified the caller. */
export function samLocalIam(env: NodeJS.ProcessEnv): SamLocalIam | undefined {
  if (env.AWS_SAM_LOCAL !== 'true') return undefined;
  return parseLocalIamPrincipals(env.LOCAL_IAM_PRINCIPALS ?? '', env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1');
}
