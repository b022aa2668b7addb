import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowedHostNames, foreignOrigin, hasAwsCredentials, hostRefusal, refuseHost } from '../request-gate';

/** A request handler as node:http calls it. */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** S3's answer to a request it will not serve: an XML error document, as S3 sends it. */
function s3Error(response: ServerResponse, code: string, message: string): void {
  const requestId = randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`;
  response.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), 'x-amz-request-id': requestId });
  response.end(body);
}

/** DynamoDB's answer (JSON 1.0, HTTP 400 as DynamoDB documents it; dynalite sends the same for a POST). */
function dynamoDbError(response: ServerResponse, type: string, message: string): void {
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message });
  response.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': randomUUID() });
  response.end(body);
}

/**
 * The checks in front of dynalite and s3rver (see local/request-gate.ts): the Host, a foreign
 * Origin (dynalite approves every CORS preflight with `*`, which with any key accepted would let any
 * page read the tables), and AWS credentials on every request, where dynalite lets GET and OPTIONS
 * through and s3rver serves anonymous requests.
 */
export function gateStore(kind: 'dynalite' | 's3rver', bind: string, next: RequestListener): RequestListener {
  const allowed = allowedHostNames(bind);
  const service = kind === 's3rver' ? 's3' : 'json';
  return (request, response) => {
    const misdirected = hostRefusal(request, allowed);
    if (misdirected) {
      refuseHost(response, misdirected);
      return;
    }
    const foreign = foreignOrigin(request);
    if (foreign) {
      if (kind === 's3rver') s3Error(response, 'AccessDenied', foreign);
      else dynamoDbError(response, 'AccessDeniedException', foreign);
      return;
    }
    if (!hasAwsCredentials(request, service)) {
      if (kind === 's3rver') s3Error(response, 'AccessDenied', 'Access Denied');
      else dynamoDbError(response, 'MissingAuthenticationTokenException', 'Request is missing Authentication Token');
      return;
    }
    next(request, response);
  };
}
