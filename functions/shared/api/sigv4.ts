import { nodeCrypto } from '#platform/node-crypto';

/*
 * SigV4 verification as API Gateway does it for AWS_IAM methods. The local gateway (local/apigateway/
 * iam-auth.ts) runs it for `npm start`; under `sam local`, which does not emulate IAM auth, the API
 * functions run it themselves (local-iam.ts). On AWS nothing here runs: API Gateway has verified the
 * caller before the function is invoked.
 */

/** A request's headers: every value by name (any case), and the last value of one. */
export interface SignedHeaders {
  readonly multiValueHeaders: Record<string, string[]>;
  get(name: string): string | undefined;
}

/** API Gateway's clock-skew allowance for a signed request. */
export const MAX_SKEW_MS = 5 * 60 * 1000;
const SERVICE = 'execute-api';

/** Why API Gateway refuses a request at its SigV4 check; `unsigned` is the missing-token case. */
export type SigV4Failure =
  | { kind: 'unsigned' }
  | { kind: 'incomplete' | 'expired' | 'scope' | 'unknownKey' | 'mismatch'; message: string };

export interface SigV4Request {
  method: string;
  /** The path as the client sent it, stage included, without the query. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: SignedHeaders;
  body: Buffer;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 (.+)$/;

/** `Credential=…, SignedHeaders=…, Signature=…` of an Authorization header. */
function authorizationParts(value: string): { credential: string; signedHeaders: string; signature: string } | SigV4Failure {
  const match = AUTHORIZATION.exec(value.trim());
  const fields = new Map<string, string>();
  for (const part of (match?.[1] ?? '').split(',')) {
    const separator = part.indexOf('=');
    if (separator > 0) fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (!match || missing.length > 0) {
    // API Gateway's IncompleteSignatureException wording, one sentence per missing part.
    const sentences = (match ? missing : ['Credential', 'Signature', 'SignedHeaders']).map((name) => `Authorization header requires '${name}' parameter.`);
    return { kind: 'incomplete', message: `${sentences.join(' ')} Authorization=${value}` };
  }
  return { credential: fields.get('Credential') ?? '', signedHeaders: fields.get('SignedHeaders') ?? '', signature: fields.get('Signature') ?? '' };
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return value;
  }
}

/**
 * The canonical URI as SigV4 signers for services other than S3 build it, and API Gateway checks
 * it: each segment of the path as sent is URI-encoded again (so `%2F` becomes `%252F`), after
 * removing `.` and `..` segments.
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return normalized.split('/').map(escape).join('/') || '/';
}

function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const key = decode(separator < 0 ? pair : pair.slice(0, separator));
      const value = separator < 0 ? '' : decode(pair.slice(separator + 1));
      return [escape(key), escape(value)] as const;
    })
    .filter(([key]) => key !== 'X-Amz-Signature')
    .sort(([keyA, valueA], [keyB, valueB]) => (keyA < keyB ? -1 : keyA > keyB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function canonicalHeaders(headers: SignedHeaders, signed: readonly string[]): string {
  const byName = new Map<string, string[]>();
  for (const [name, values] of Object.entries(headers.multiValueHeaders)) byName.set(name.toLowerCase(), [...(byName.get(name.toLowerCase()) ?? []), ...values]);
  return signed.map((name) => `${name}:${(byName.get(name) ?? []).map((value) => value.trim().replace(/\s+/g, ' ')).join(',')}\n`).join('');
}

/** An IAM resource pattern as a RegExp: `*` any run of characters, `?` one character. */
export function iamWildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

const sha256Hex = (data: string | Buffer) => nodeCrypto().createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => nodeCrypto().createHmac('sha256', key).update(data, 'utf8').digest();

const signingKeys = new Map<string, Buffer>();

/** The day's signing key (four HMACs), kept as signers keep it: it changes only with the date, region or secret. */
function signingKeyFor(secret: string, date: string, region: string): Buffer {
  const id = `${date}/${region}/${nodeCrypto().createHash('sha256').update(secret).digest('hex')}`;
  let key = signingKeys.get(id);
  if (!key) {
    if (signingKeys.size > 64) signingKeys.clear();
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), SERVICE), 'aws4_request');
    signingKeys.set(id, key);
  }
  return key;
}

/** `20261201T101500Z` → epoch ms, or NaN. */
function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return NaN;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The basic ISO-8601 form SigV4 uses. */
export function amzDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Verifies a SigV4 request as API Gateway does for an AWS_IAM method: the Authorization header,
 * X-Amz-Date within 5 minutes of now, a credential scoped to this region and `execute-api`, and
 * the signature over the canonical request (method, path with the stage, query, signed headers, and
 * the SHA-256 of the body actually received). Returns the access key id that signed it, or why not.
 */
export function verifySigV4(
  request: SigV4Request,
  options: { region: string; now: number; secretFor: (accessKeyId: string) => string | undefined },
): { accessKeyId: string } | SigV4Failure {
  const authorization = request.headers.get('authorization');
  if (!authorization) return { kind: 'unsigned' };
  const parts = authorizationParts(authorization);
  if ('kind' in parts) return parts;
  const dateHeader = request.headers.get('x-amz-date');
  const signedAt = dateHeader === undefined ? NaN : parseAmzDate(dateHeader);
  if (Number.isNaN(signedAt)) {
    return { kind: 'incomplete', message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + authorization };
  }
  const nowText = amzDate(options.now);
  if (signedAt < options.now - MAX_SKEW_MS) {
    return { kind: 'expired', message: `Signature expired: ${dateHeader ?? ''} is now earlier than ${amzDate(options.now - MAX_SKEW_MS)} (${nowText} - 5 min.)` };
  }
  if (signedAt > options.now + MAX_SKEW_MS) {
    return { kind: 'expired', message: `Signature not yet current: ${dateHeader ?? ''} is still later than ${amzDate(options.now + MAX_SKEW_MS)} (${nowText} + 5 min.)` };
  }
  const [accessKeyId = '', scopeDate = '', scopeRegion = '', scopeService = '', terminator = ''] = parts.credential.split('/');
  if (terminator !== 'aws4_request') return { kind: 'incomplete', message: `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. ` };
  if (scopeDate !== dateHeader?.slice(0, 8)) {
    return { kind: 'scope', message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${dateHeader?.slice(0, 8) ?? ''}', from '${dateHeader ?? ''}'.` };
  }
  if (scopeRegion !== options.region) return { kind: 'scope', message: `Credential should be scoped to a valid region, not '${scopeRegion}'. ` };
  if (scopeService !== SERVICE) return { kind: 'scope', message: `Credential should be scoped to correct service: '${SERVICE}'. ` };
  const secret = options.secretFor(accessKeyId);
  if (secret === undefined) return { kind: 'unknownKey', message: 'The security token included in the request is invalid.' };

  const signedHeaders = parts.signedHeaders.split(';');
  const canonical = [
    request.method,
    canonicalPath(request.path),
    canonicalQuery(request.query),
    canonicalHeaders(request.headers, signedHeaders),
    parts.signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${scopeDate}/${scopeRegion}/${SERVICE}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', dateHeader, scope, sha256Hex(canonical)].join('\n');
  const signingKey = signingKeyFor(secret, scopeDate, scopeRegion);
  const expected = Buffer.from(nodeCrypto().createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex'));
  const provided = Buffer.from(parts.signature);
  if (expected.length !== provided.length || !nodeCrypto().timingSafeEqual(expected, provided)) {
    return {
      kind: 'mismatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
        `Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
    };
  }
  return { accessKeyId };
}
