import type { LocalApiKey } from '../apigateway/api-key';
import { localCredentials } from '../storage/storage';

export interface LocalEndpoints {
  sfn: string;
  s3: string;
  dynamodb: string;
  lambda: string;
  eventbridge: string;
  sqs: string;
  dynamodbstreams: string;
  /** The local Secrets Manager (secretsmanager/secrets-manager.ts); absent where no secrets are served. */
  secretsmanager?: string;
  /** stripe-mock, when a function uses the Stripe adapter (payments/stripe-local.ts). */
  stripe?: string;
}

/**
 * Variables the local runtime adds to every function's environment. The unchanged AWS SDK in each
 * handler reaches the emulators through the standard AWS_ENDPOINT_URL_* variables; handlers read
 * no "am I local" flag.
 */
export function localFunctionEnvironment(endpoints: LocalEndpoints, region: string): Record<string, string> {
  const credentials = localCredentials();
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodbstreams,
    ...(endpoints.secretsmanager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsmanager } : {}),
    // Stripe's client takes no AWS_ENDPOINT_URL_*; the Stripe adapter reads this one (adapters/payment-from-env.ts).
    ...(endpoints.stripe ? { STRIPE_API_BASE_URL: endpoints.stripe } : {}),
    // s3rver stores the aws-chunked framing of checksummed uploads inside the object.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    S3_FORCE_PATH_STYLE: 'true',
    // No X-Ray daemon runs locally.
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    NODE_ENV: 'production',
  };
}

/**
 * LOCAL_API_KEYS for functions run the way `sam local` runs them (AWS_SAM_LOCAL=true, no API
 * Gateway in front): `id=value,id=value`, so a handler can map an X-Api-Key header to the same
 * key id (the order owner) that `npm start`'s gateway would have passed.
 */
export function localApiKeysVariable(apiKeys: readonly LocalApiKey[]): string {
  return apiKeys.map((key) => `${key.id}=${key.value}`).join(',');
}
