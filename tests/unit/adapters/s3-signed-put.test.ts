import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import { type AwsCallTracing, S3ServiceError, S3SignedPut, type S3Metadata } from '#adapters/s3-signed-put';

/** An HTTP handler that answers from a script and records each request (no network). */
function scripted(answers: (({ status: number; body?: string; headers?: Record<string, string> }) | Error)[]) {
  const requests: HttpRequest[] = [];
  return {
    requests,
    handle(request: HttpRequest) {
      requests.push(request);
      const answer = answers.shift();
      if (!answer) throw new Error('no answer scripted');
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({ response: new HttpResponse({ statusCode: answer.status, headers: { 'x-amz-request-id': `req-${String(requests.length)}`, ...answer.headers }, body: Readable.from([Buffer.from(answer.body ?? '')]) }) });
    },
  };
}

const slowDown = { status: 503, body: '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' };
const internal = { status: 500, body: '<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>' };
const ok = { status: 200, headers: { etag: '"abc"', 'x-amz-id-2': 'id2' } };

function signedPut(http: ReturnType<typeof scripted>, extra: Partial<ConstructorParameters<typeof S3SignedPut>[0]> = {}) {
  return new S3SignedPut({
    region: 'eu-west-1',
    credentials: () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' }),
    httpHandler: http,
    ...extra,
  });
}

const input = { Bucket: 'orders-receipts', Key: 'receipts/o1/receipt.html', Body: '<p>€1</p>', ContentType: 'text/html; charset=utf-8' };

describe('S3SignedPut', () => {
  it('PUTs to the virtual-hosted regional endpoint, signed with the session token, the payload hash and Content-MD5', async () => {
    const http = scripted([ok]);
    const output = await signedPut(http).putObject({ ...input, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'key-1' });
    expect(output).toEqual({ ETag: '"abc"', $metadata: { httpStatusCode: 200, requestId: 'req-1', extendedRequestId: 'id2', attempts: 1, totalRetryDelay: 0 } });
    const [request] = http.requests;
    expect(request).toMatchObject({ method: 'PUT', protocol: 'https:', hostname: 'orders-receipts.s3.eu-west-1.amazonaws.com', path: '/receipts/o1/receipt.html' });
    expect(request?.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength('<p>€1</p>')),
      'content-md5': '1kpICP3qcAObiAq/egeRfQ==',
      'x-amz-security-token': 'session-token',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'key-1',
      'x-amz-content-sha256': expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-security-token[^,]*, Signature=[0-9a-f]{64}$/);
  });

  it('uses the endpoint variable in path style', async () => {
    const http = scripted([ok]);
    await signedPut(http, { endpoint: 'http://127.0.0.1:4569', forcePathStyle: true }).putObject(input);
    expect(http.requests[0]).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 4569, path: '/orders-receipts/receipts/o1/receipt.html' });
    expect(http.requests[0]?.headers.host).toBe('127.0.0.1:4569');
  });

  it('retries throttling, 5xx and network errors with backoff, each attempt signed anew, and reports the attempts', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const http = scripted([slowDown, reset, ok]);
    const output = await signedPut(http, { maxAttempts: 3 }).putObject(input);
    expect(output.$metadata.attempts).toBe(3);
    expect(output.$metadata.totalRetryDelay).toBeGreaterThan(0);
    expect(http.requests).toHaveLength(3);
  });

  it('gives up after the last attempt with the S3 error, named by its code', async () => {
    const http = scripted([internal, internal, internal]);
    const error = await signedPut(http).putObject(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(S3ServiceError);
    expect(error).toMatchObject({ name: 'InternalError', message: 'We encountered an internal error.', $fault: 'server', $metadata: { httpStatusCode: 500, requestId: 'req-3', attempts: 3 } });
    expect(http.requests).toHaveLength(3);
  });

  it('does not retry a client error', async () => {
    const http = scripted([{ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' }]);
    await expect(signedPut(http).putObject(input)).rejects.toMatchObject({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, attempts: 1 } });
    expect(http.requests).toHaveLength(1);
  });

  it('sends the X-Ray trace header (unsigned) and reports each call to the tracing hook', async () => {
    const ended: { metadata: S3Metadata; error?: Error }[] = [];
    const tracing: AwsCallTracing = {
      begin: (call) => {
        expect(call).toEqual({ service: 'S3', operation: 'PutObject', region: 'eu-west-1', bucket: 'orders-receipts', key: 'receipts/o1/receipt.html' });
        return { traceHeader: 'Root=1-abc;Parent=def;Sampled=1', end: (outcome) => ended.push(outcome) };
      },
    };
    const http = scripted([slowDown, ok, { status: 404, body: '<Error><Code>NoSuchBucket</Code><Message>none</Message></Error>' }]);
    await signedPut(http, { tracing }).putObject(input);
    await signedPut(http, { tracing }).putObject(input).catch(() => undefined);
    expect(http.requests[0]?.headers['X-Amzn-Trace-Id']).toBe('Root=1-abc;Parent=def;Sampled=1');
    expect(http.requests[0]?.headers.authorization).not.toMatch(/x-amzn-trace-id/i);
    expect(ended).toEqual([
      { metadata: expect.objectContaining({ httpStatusCode: 200, attempts: 2 }) as unknown },
      { metadata: expect.objectContaining({ httpStatusCode: 404, attempts: 1 }) as unknown, error: expect.objectContaining({ name: 'NoSuchBucket' }) as unknown },
    ]);
  });
});
