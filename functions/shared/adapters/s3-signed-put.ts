import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HttpRequest, type HttpResponse } from '@smithy/core/protocols';
import { StandardRetryStrategy, getRetryAfterHint, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { Hash } from '@smithy/hash-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, RetryErrorInfo, RetryErrorType } from '@smithy/types';
import { encodeKey, s3BucketUrl } from './s3-object-url';

/** The PutObject fields the functions use (the SDK's names, so a PutObjectCommand's input fits). */
export interface PutObjectInput {
  Bucket: string;
  Key: string;
  Body: string | Uint8Array;
  ContentType?: string;
  CacheControl?: string;
  /** Only for a bucket whose policy demands the header; a bucket's default encryption applies without it. */
  ServerSideEncryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  SSEKMSKeyId?: string;
}

export interface PutObjectOutput {
  ETag?: string;
  $metadata: S3Metadata;
}

export interface S3Metadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

/** Writes one object. */
export interface ObjectPut {
  putObject(input: PutObjectInput): Promise<PutObjectOutput>;
}

/** What a tracer records around one S3 call: the X-Amzn-Trace-Id header to send, and the outcome (tracing.ts). */
export interface AwsCallTracing {
  begin(call: { service: 'S3'; operation: 'PutObject'; region: string; bucket: string; key: string }): {
    traceHeader?: string;
    end(outcome: { metadata: S3Metadata; error?: Error }): void;
  };
}

export interface S3SignedPutOptions {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** The S3 endpoint (AWS_ENDPOINT_URL_S3 locally); default `https://s3.<region>.amazonaws.com`. */
  endpoint?: string;
  /** Bucket in the path rather than the host name (S3_FORCE_PATH_STYLE; s3rver has no virtual hosts). */
  forcePathStyle?: boolean;
  /** Attempts in all, as the SDK counts them (AWS_MAX_ATTEMPTS; default 3). */
  maxAttempts?: number;
  tracing?: AwsCallTracing;
  /** Tests pass a handler that answers without a network. */
  httpHandler?: Pick<NodeHttpHandler, 'handle'>;
  /** The signing time; tests fix it. */
  now?: () => Date;
  /** The SDK's standard retry strategy by default (exponential backoff with full jitter, a retry quota); tests pass one without delays. */
  retryStrategy?: StandardRetryStrategy;
}

/** An S3 error answer, named by its XML Code as the SDK names it (SlowDown, AccessDenied, NoSuchBucket). */
export class S3ServiceError extends Error {
  readonly $fault: 'client' | 'server';
  constructor(
    name: string,
    message: string,
    readonly $metadata: S3Metadata,
    readonly $response: HttpResponse,
  ) {
    super(message);
    this.name = name;
    this.$fault = ($metadata.httpStatusCode ?? 0) >= 500 ? 'server' : 'client';
  }
}

/** The SDK retry middleware's classification (its getRetryErrorType), for the standard strategy. */
function retryErrorInfo(error: Error): RetryErrorInfo {
  const classified = error as Parameters<typeof isThrottlingError>[0];
  const errorType: RetryErrorType = isThrottlingError(classified) ? 'THROTTLING' : isTransientError(classified) ? 'TRANSIENT' : isServerError(classified) ? 'SERVER_ERROR' : 'CLIENT_ERROR';
  const retryAfterHint = error instanceof S3ServiceError ? getRetryAfterHint(error.$response) : undefined;
  return { errorType, ...(retryAfterHint ? { retryAfterHint } : {}) };
}

async function readBody(response: HttpResponse): Promise<string> {
  const body = response.body as Readable | undefined;
  if (!body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

function xmlField(xml: string, field: string): string | undefined {
  return new RegExp(`<${field}>([^<]*)</${field}>`).exec(xml)?.[1];
}

function header(response: HttpResponse, name: string): string | undefined {
  return response.headers[name] ?? Object.entries(response.headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * PutObject as a SigV4-signed HTTP PUT, without the S3 client: the client's serializers, endpoint
 * rules and middleware are ~150 KB of GenerateReceiptFunction's bundle (docs/performance.md), and
 * writing a small object needs none of them. Kept from the SDK's PutObject: its standard retry
 * strategy and error classification (5xx, throttling, network errors; backoff with jitter, Retry-After,
 * a retry quota), the payload signed by its SHA-256 (S3 rejects a body that does not match), the
 * endpoint variables and path style, credentials with a session token, the SSE headers when asked,
 * and an X-Ray subsegment per call when tracing is on (tracing.ts).
 */
export class S3SignedPut implements ObjectPut {
  private readonly signer: SignatureV4;
  private readonly http: Pick<NodeHttpHandler, 'handle'>;
  private readonly retry: StandardRetryStrategy;

  constructor(private readonly options: S3SignedPutOptions) {
    this.signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    this.http = options.httpHandler ?? new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 10_000 });
    this.retry = options.retryStrategy ?? new StandardRetryStrategy(options.maxAttempts ?? 3);
  }

  async putObject(input: PutObjectInput): Promise<PutObjectOutput> {
    const span = this.options.tracing?.begin({ service: 'S3', operation: 'PutObject', region: this.options.region, bucket: input.Bucket, key: input.Key });
    const started = { attempts: 0, totalRetryDelay: 0 };
    let token = await this.retry.acquireInitialRetryToken('s3');
    for (;;) {
      started.attempts++;
      try {
        const output = await this.attempt(input, span?.traceHeader);
        this.retry.recordSuccess(token);
        output.$metadata = { ...output.$metadata, ...started };
        span?.end({ metadata: output.$metadata });
        return output;
      } catch (raw) {
        const error = raw instanceof Error ? raw : new Error(String(raw));
        try {
          token = await this.retry.refreshRetryTokenForRetry(token, retryErrorInfo(error));
        } catch {
          const metadata: S3Metadata = { ...(error instanceof S3ServiceError ? error.$metadata : {}), ...started };
          if (error instanceof S3ServiceError) Object.assign(error.$metadata, started);
          span?.end({ metadata, error });
          throw error;
        }
        // The standard strategy waits out the backoff inside refreshRetryTokenForRetry and logs it on the token.
        const waited = (token as { $retryLog?: { acquisitionDelay?: number } }).$retryLog?.acquisitionDelay ?? 0;
        const delay = token.getRetryDelay();
        started.totalRetryDelay += waited + delay;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async attempt(input: PutObjectInput, traceHeader: string | undefined): Promise<PutObjectOutput> {
    const url = s3BucketUrl({ endpoint: this.options.endpoint, region: this.options.region, bucket: input.Bucket, forcePathStyle: this.options.forcePathStyle === true });
    const body = typeof input.Body === 'string' ? Buffer.from(input.Body, 'utf8') : input.Body;
    const headers: Record<string, string> = {
      host: url.host,
      'content-length': String(body.byteLength),
      // S3 checks it as the SDK's default checksum would: a body that does not match is refused.
      'content-md5': createHash('md5').update(body).digest('base64'),
    };
    if (input.ContentType) headers['content-type'] = input.ContentType;
    if (input.CacheControl) headers['cache-control'] = input.CacheControl;
    if (input.ServerSideEncryption) headers['x-amz-server-side-encryption'] = input.ServerSideEncryption;
    if (input.SSEKMSKeyId) headers['x-amz-server-side-encryption-aws-kms-key-id'] = input.SSEKMSKeyId;
    const request = new HttpRequest({
      method: 'PUT',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === undefined ? {} : { port: url.port }),
      path: `${url.basePath}/${encodeKey(input.Key)}`,
      headers,
      body,
    });
    const signed = new HttpRequest(await this.signer.sign(request, this.options.now ? { signingDate: this.options.now() } : {}));
    // Unsigned and added last, as the SDK's X-Ray middleware adds it; X-Ray's http patch then leaves the request alone.
    if (traceHeader) signed.headers['X-Amzn-Trace-Id'] = traceHeader;
    const { response } = await this.http.handle(signed);
    const metadata: S3Metadata = { httpStatusCode: response.statusCode, requestId: header(response, 'x-amz-request-id'), extendedRequestId: header(response, 'x-amz-id-2') };
    const text = await readBody(response);
    if (response.statusCode >= 200 && response.statusCode < 300) return { ETag: header(response, 'etag'), $metadata: metadata };
    const code = xmlField(text, 'Code') ?? (response.statusCode >= 500 ? 'InternalError' : `Http${String(response.statusCode)}`);
    throw new S3ServiceError(code, xmlField(text, 'Message') ?? `S3 PutObject answered HTTP ${String(response.statusCode)}`, metadata, response);
  }
}
