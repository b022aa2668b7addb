import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from './tracing';

/*
 * SDK clients are created lazily, once per execution environment, and traced. Endpoints come
 * from the standard AWS_ENDPOINT_URL_* variables, so the same code talks to AWS or to the
 * local runtime's emulators without a branch here.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;
let sfnClient: SFNClient | undefined;
let eventBridgeClient: EventBridgeClient | undefined;

/** The DynamoDB document client, with `undefined` values removed on write. */
export function dynamoDb(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/** The S3 client. S3_FORCE_PATH_STYLE=true is for emulators without virtual-hosted buckets. */
export function s3(): S3Client {
  s3Client ??= traced(
    new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }),
  );
  return s3Client;
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
