import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaService } from './lambda/lambda-service';
import { SfnApiError, type StepFunctionsService } from './stepfunctions/stepfunctions-service';

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(statusCode, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** The Lambda Invoke API (like `sam local start-lambda`), so the AWS CLI and SDKs can invoke functions. */
export function lambdaInvokeEndpoint(lambda: LambdaService) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || !match?.[1]) {
      sendJson(response, 404, { Type: 'User', message: 'Only POST /2015-03-31/functions/{FunctionName}/invocations is served' }, { 'x-amzn-ErrorType': 'ResourceNotFoundException' });
      return;
    }
    const name = decodeURIComponent(match[1]);
    if (!lambda.find(name)) {
      sendJson(response, 404, { Type: 'User', message: `Function not found: ${name}` }, { 'x-amzn-ErrorType': 'ResourceNotFoundException' });
      return;
    }
    const body = await readBody(request, 6 * 1024 * 1024);
    if (!body) {
      sendJson(response, 413, { Type: 'User', message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' }, { 'x-amzn-ErrorType': 'RequestTooLargeException' });
      return;
    }
    let event: unknown = null;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      sendJson(response, 400, { Type: 'User', message: 'Could not parse request body into json' }, { 'x-amzn-ErrorType': 'InvalidRequestContentException' });
      return;
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    if (invocationType === 'Event') {
      void lambda.invoke(name, event);
      response.writeHead(202).end();
      return;
    }
    const result = await lambda.invoke(name, event);
    const headers = { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': result.requestId };
    if (result.ok) sendJson(response, 200, result.payload, headers);
    else sendJson(response, 200, result.error, { ...headers, 'X-Amz-Function-Error': 'Unhandled' });
  };
}

/** The Step Functions API: AWS JSON 1.0 with `X-Amz-Target: AWSStepFunctions.<Operation>`. */
export function stepFunctionsEndpoint(sfn: StepFunctionsService) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    const body = await readBody(request, 1024 * 1024);
    const headers = { 'Content-Type': 'application/x-amz-json-1.0' };
    try {
      if (!operation) throw new SfnApiError('UnknownOperationException', 'Missing X-Amz-Target');
      if (!body) throw new SfnApiError('ValidationException', 'Request too large');
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (typeof parsed !== 'object' || parsed === null) throw new SfnApiError('ValidationException', 'Request body must be a JSON object');
      const result = sfn.handle(operation, parsed as Record<string, unknown>);
      // A started or stopped execution must survive a crash of the runtime from the moment the caller hears of it.
      if (operation === 'StartExecution' || operation === 'StopExecution') await sfn.journalled();
      sendJson(response, 200, result, headers);
    } catch (error) {
      if (error instanceof SfnApiError) {
        sendJson(response, error.statusCode, { __type: error.type, message: error.message }, { ...headers, 'x-amzn-ErrorType': error.type });
      } else if (error instanceof SyntaxError) {
        sendJson(response, 400, { __type: 'SerializationException', message: 'Malformed JSON' }, { ...headers, 'x-amzn-ErrorType': 'SerializationException' });
      } else {
        sendJson(response, 500, { __type: 'InternalFailure', message: String(error) }, headers);
      }
    }
  };
}
