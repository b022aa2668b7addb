import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import { isWildcard } from './host-access';

/*
 * What stops a web page the developer has open from using the local endpoints. A page can reach
 * loopback: it can send simple requests (GET, or a POST with a text/plain, form or multipart body)
 * to any port without asking, and a DNS-rebound host name lets it read the answers as its own
 * origin. So every port checks the Host header (rebinding), the AWS endpoints want SigV4
 * credentials as AWS does (a page cannot add an Authorization header without a CORS preflight,
 * and no local AWS endpoint approves one), and the local-only endpoints take same-origin requests
 * with a JSON body only.
 */

/**
 * The Host names a port answers to: its bind address, localhost and 127.0.0.1 (and ::1), and
 * host.docker.internal, the name sam local containers use (see host-access.ts). A wildcard bind
 * adds this machine's interface addresses, which is how other machines reach it.
 */
export function allowedHostNames(bind: string): ReadonlySet<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', 'host.docker.internal', bind.toLowerCase()]);
  if (isWildcard(bind)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address.toLowerCase());
    }
  }
  return names;
}

/** The host name of a Host header: without the port, IPv6 without brackets, lower case. */
export function hostName(header: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(header);
  if (bracketed) return (bracketed[1] ?? '').toLowerCase();
  return header.replace(/:\d*$/, '').toLowerCase();
}

/**
 * Why the request's Host is refused, or undefined when it is one of `allowed`. A request without a
 * Host (HTTP/1.0) passes: a browser always sends one, so it cannot be a rebinding attempt.
 */
export function hostRefusal(request: IncomingMessage, allowed: ReadonlySet<string>): string | undefined {
  const header = request.headers.host;
  if (header === undefined || allowed.has(hostName(header))) return undefined;
  return `Host '${header}' is not served here: the local runtime answers only to ${[...allowed].join(', ')} (a foreign host name is how DNS rebinding reaches loopback). To serve another address, start it with --host.`;
}

/** Why the request's `Origin` (sent on every cross-origin fetch, preflight and form post) is refused: any origin but this port's own. */
export function foreignOrigin(request: IncomingMessage): string | undefined {
  const origin = request.headers.origin;
  if (origin === undefined || origin === `http://${request.headers.host ?? ''}`) return undefined;
  return `Cross-origin request from ${origin} refused: this local endpoint serves same-origin requests and tools only`;
}

/**
 * Why a browser request comes from another origin, or undefined when it is same-origin or not
 * from a browser page: the Origin check, and `Sec-Fetch-Site` for the GETs that carry no Origin
 * (images, scripts, links from other pages).
 */
export function crossOriginRefusal(request: IncomingMessage): string | undefined {
  const foreign = foreignOrigin(request);
  if (foreign) return foreign;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `Request from a ${site} page refused: this local endpoint serves same-origin requests and tools only`;
  }
  return undefined;
}

/**
 * Why a request with a body is refused for its content type, or undefined when it is JSON. The
 * content types a page may send without a preflight (text/plain, forms, multipart) never act.
 */
export function contentTypeRefusal(request: IncomingMessage): string | undefined {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' ? undefined : `Send the body as Content-Type: application/json (got ${type ?? 'none'})`;
}

const SIGV4_HEADER = /^AWS4-HMAC-SHA256 Credential=[^/\s,]+\/\d{8}\/[\w-]+\/[\w-]+\/aws4_request, ?SignedHeaders=[\w;-]+, ?Signature=[0-9a-f]{64}$/i;
const SIGV2_HEADER = /^AWS [^:\s]+:\S+$/;

/**
 * Whether the request carries well-formed AWS credentials: a SigV4 Authorization header, or for
 * S3 also SigV2 and presigned URLs (the receipt links). Signatures are not verified: every local
 * endpoint accepts any key, as the runtime's own functions use a made-up one.
 */
export function hasAwsCredentials(request: IncomingMessage, service: 's3' | 'json'): boolean {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return SIGV4_HEADER.test(authorization) || (service === 's3' && SIGV2_HEADER.test(authorization));
  if (service !== 's3') return false;
  const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
  return (query.has('X-Amz-Signature') && query.has('X-Amz-Credential')) || (query.has('Signature') && query.has('AWSAccessKeyId'));
}

/** Answers a refused request with a JSON `{message}` body (and the AWS error type header, when given). */
export function refuseJson(response: ServerResponse, statusCode: number, message: string, errorType?: string): void {
  const body = JSON.stringify({ message });
  response.writeHead(statusCode, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}) });
  response.end(body);
}

/** Answers a request whose Host is refused: 421 Misdirected Request, the status for "not this server". */
export function refuseHost(response: ServerResponse, message: string): void {
  refuseJson(response, 421, message);
}
