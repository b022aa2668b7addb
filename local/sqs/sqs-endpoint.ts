import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, refusedUnsigned, sendJson } from '../http-endpoints';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../lambda/payload-limits';
import { SqsError, type SqsService } from './sqs-service';

const HEADERS = { 'Content-Type': 'application/x-amz-json-1.0' };

function sqsError(response: ServerResponse, error: SqsError): void {
  sendJson(response, error.statusCode, { __type: `com.amazonaws.sqs#${error.type}`, message: error.message }, {
    ...HEADERS,
    'x-amzn-ErrorType': error.type,
    // The SDK maps this legacy code to the error's name (QueueDoesNotExist and the others).
    'x-amzn-query-error': `${error.queryCode};Sender`,
  });
}

/** The SQS API on the JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`), as @aws-sdk/client-sqs 3.x and boto3 send it. */
export function sqsEndpoint(sqs: SqsService) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedUnsigned(request, response, (type, message) => ({ __type: type, message }))) return;
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith('AmazonSQS.')) {
      sqsError(response, new SqsError('InvalidAction', 'The local SQS endpoint speaks the JSON protocol only (X-Amz-Target: AmazonSQS.<Operation>); the query protocol is not emulated.', 'AWS.SimpleQueueService.InvalidAction'));
      return;
    }
    const body = await readBody(request, 1024 * 1024);
    try {
      if (!body) throw new SqsError('InvalidParameterValue', 'Request too large', 'InvalidParameterValue');
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (typeof parsed !== 'object' || parsed === null || nestsDeeperThan(parsed)) throw new SqsError('InvalidParameterValue', `Request body must be a JSON object nesting at most ${String(MAX_PAYLOAD_DEPTH)} levels`, 'InvalidParameterValue');
      sendJson(response, 200, await sqs.handle(target.slice('AmazonSQS.'.length), parsed as Record<string, unknown>), HEADERS);
    } catch (error) {
      if (error instanceof SqsError) sqsError(response, error);
      else if (error instanceof SyntaxError) sqsError(response, new SqsError('InvalidParameterValue', 'Malformed JSON', 'InvalidParameterValue'));
      else throw error;
    }
  };
}
