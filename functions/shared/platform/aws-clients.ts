import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { S3SignedPut } from '#adapters/s3-signed-put';
import { requireEnv } from './config';
import { awsCallTracing, traced } from './tracing';

/*
 * SDK clients are created lazily, once per execution environment, and traced. Endpoints come
 * from the standard AWS_ENDPOINT_URL_* variables, so the same code talks to AWS or to the
 * local runtime's emulators without a branch here.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let s3Put: S3SignedPut | undefined;
let sfnClient: SFNClient | undefined;
let eventBridgeClient: EventBridgeClient | undefined;

/** The DynamoDB document client, with `undefined` values removed on write. */
export function dynamoDb(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/**
 * S3 PutObject without the S3 client (adapters/s3-signed-put.ts), for functions that only write
 * objects. Configured as the S3 client would be from the same variables: the endpoint from
 * AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), path style from S3_FORCE_PATH_STYLE, attempts from
 * AWS_MAX_ATTEMPTS, and the credentials Lambda puts in the environment (with the session token).
 */
export function s3ObjectPut(): S3SignedPut {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const maxAttempts = Number(process.env.AWS_MAX_ATTEMPTS);
  s3Put ??= new S3SignedPut({
    region: requireEnv('AWS_REGION'),
    credentials: fromEnv(),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    ...(Number.isInteger(maxAttempts) && maxAttempts > 0 ? { maxAttempts } : {}),
    ...(awsCallTracing ? { tracing: awsCallTracing } : {}),
  });
  return s3Put;
}

/** The Step Functions client. */
export function stepFunctions(): SFNClient {
  sfnClient ??= traced(new SFNClient({}));
  return sfnClient;
}

/** The EventBridge client (endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE when set). */
export function eventBridge(): EventBridgeClient {
  eventBridgeClient ??= traced(new EventBridgeClient({}));
  return eventBridgeClient;
}
