import { PermanentError, TransientError } from '#domain/errors';

/** An AWS dependency (DynamoDB, S3) failed in a way worth retrying. Listed in the ASL Retry. */
export class DependencyUnavailable extends TransientError {
  override name = 'DependencyUnavailable';
}

const RETRYABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Throttling errors AWS reports with HTTP 400 and no $retryable trait (e.g. DynamoDB's), as the SDK's retry strategy names them. */
const THROTTLING_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'BandwidthLimitExceeded',
  'SlowDown',
]);

/** Wraps throttling, 5xx and network failures of AWS SDK calls as DependencyUnavailable. */
export function classifyDependencyError(error: unknown): unknown {
  if (error instanceof PermanentError || error instanceof TransientError || !(error instanceof Error)) return error;
  const meta = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  const status = meta.$metadata?.httpStatusCode;
  const retryable =
    meta.$retryable !== undefined ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    THROTTLING_ERROR_NAMES.has(error.name) ||
    (meta.code !== undefined && RETRYABLE_NETWORK_CODES.has(meta.code)) ||
    error.name === 'TimeoutError';
  return retryable ? new DependencyUnavailable(`${error.name}: ${error.message}`, { cause: error }) : error;
}
