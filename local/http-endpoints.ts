import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FunctionConfiguration, functionConfiguration } from './lambda/function-configuration';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from './lambda/payload-limits';
import type { LambdaService } from './lambda/lambda-service';
import type { MeteringProxy } from './storage/metering-proxy';
import type { OutageProxy } from './storage/outage-proxy';
import type { LocalFunction } from './template/local-template';
import { contentTypeRefusal, crossOriginRefusal, foreignOrigin, hasAwsCredentials, refuseJson } from './request-gate';
import { SfnApiError, type StepFunctionsApi } from './stepfunctions/api';

export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(response: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(statusCode, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const FUNCTION_PATH = /^\/2015-03-31\/functions\/([^/]+)(\/configuration)?\/?$/;
const LIST_PATH = /^\/2015-03-31\/functions\/?$/;
const SERVED = 'Served: Invoke (POST /2015-03-31/functions/{FunctionName}/invocations), ListFunctions, GetFunction and GetFunctionConfiguration';

function lambdaError(response: ServerResponse, statusCode: number, type: string, message: string): void {
  sendJson(response, statusCode, { Type: 'User', message }, { 'x-amzn-ErrorType': type });
}

/**
 * The AWS endpoints' refusal of a request a web page could have sent (see local/request-gate.ts):
 * a foreign Origin, or no SigV4 credentials, answered as Lambda and Step Functions answer an
 * unsigned request (403 MissingAuthenticationTokenException). True when the request was refused.
 */
export function refusedUnsigned(request: IncomingMessage, response: ServerResponse, body: (type: string, message: string) => unknown): boolean {
  const foreign = foreignOrigin(request);
  const [type, message] = foreign
    ? ['AccessDeniedException', foreign]
    : hasAwsCredentials(request, 'json') ? [] : ['MissingAuthenticationTokenException', 'Missing Authentication Token'];
  if (!type || !message) return false;
  sendJson(response, 403, body(type, message), { 'x-amzn-ErrorType': type });
  return true;
}

/** A function name from a request path; undefined for a malformed percent-encoding (e.g. %ZZ). */
function decodeName(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

function invalidName(response: ServerResponse, encoded: string): void {
  lambdaError(response, 400, 'ValidationException', `1 validation error detected: Value '${encoded}' at 'functionName' failed to satisfy constraint: Member must be a valid percent-encoded function name`);
}

/**
 * The Lambda API (like `sam local start-lambda`), so the AWS CLI and SDKs can invoke functions, and
 * `aws lambda list-functions` / `get-function` can list and describe them (configuration only:
 * there is no deployment package to download, so GetFunction has no Code.Location).
 */
export function lambdaInvokeEndpoint(lambda: LambdaService) {
  const configuration = (fn: LocalFunction) => functionConfiguration(fn, lambda.environmentOf(fn), lambda.bundleOf(fn));
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedUnsigned(request, response, (_type, message) => ({ message }))) return;
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && LIST_PATH.test(url.pathname)) {
      listFunctions(url, lambda.list(), configuration, response);
      return;
    }
    const described = request.method === 'GET' ? FUNCTION_PATH.exec(url.pathname) : null;
    if (described?.[1]) {
      const describedName = decodeName(described[1]);
      if (describedName === undefined) {
        invalidName(response, described[1]);
        return;
      }
      const fn = findQualified(lambda, describedName, url.searchParams.get('Qualifier'));
      if (!fn) {
        lambdaError(response, 404, 'ResourceNotFoundException', `Function not found: ${describedName}`);
      } else if (described[2]) {
        sendJson(response, 200, configuration(fn));
      } else {
        sendJson(response, 200, { Configuration: configuration(fn) });
      }
      return;
    }
    const match = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || !match?.[1]) {
      lambdaError(response, 404, 'ResourceNotFoundException', `No such operation: ${request.method ?? ''} ${url.pathname}. ${SERVED}`);
      return;
    }
    const name = decodeName(match[1]);
    if (name === undefined) {
      invalidName(response, match[1]);
      return;
    }
    if (!lambda.find(name)) {
      lambdaError(response, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
      return;
    }
    const body = await readBody(request, 6 * 1024 * 1024);
    if (!body) {
      lambdaError(response, 413, 'RequestTooLargeException', 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
      return;
    }
    let event: unknown = null;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      lambdaError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
      return;
    }
    // Refused here, before a 202 for an Event invoke: past this point the caller could no longer be told.
    if (nestsDeeperThan(event)) {
      lambdaError(response, 400, 'InvalidRequestContentException', `Could not parse request body into json: it nests deeper than ${String(MAX_PAYLOAD_DEPTH)} levels`);
      return;
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    if (invocationType === 'Event') {
      lambda.invoke(name, event).catch((error: unknown) => {
        // The caller already has its 202; the failure can only be logged, never left to crash the runtime.
        process.stderr.write(`[local] Event invoke of ${name} failed: ${String(error)}\n`);
      });
      response.writeHead(202).end();
      return;
    }
    const result = await lambda.invoke(name, event);
    const headers = { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': result.requestId };
    if (!result.ok && result.refused) lambdaError(response, 400, result.error.errorType, result.error.errorMessage);
    else if (result.ok) sendJson(response, 200, result.payload, headers);
    else sendJson(response, 200, result.error, { ...headers, 'X-Amz-Function-Error': 'Unhandled' });
  };
}

/** A function by name or ARN, with the Qualifier the caller gave: only $LATEST and the function's alias exist locally. */
function findQualified(lambda: LambdaService, name: string, qualifier: string | null): LocalFunction | undefined {
  const fn = lambda.find(name);
  if (!fn || qualifier === null || qualifier === '$LATEST') return fn;
  return fn.aliasArn?.endsWith(`:${qualifier}`) ? fn : undefined;
}

/** ListFunctions with Lambda's MaxItems/Marker paging; the marker is the index of the next function. */
function listFunctions(url: URL, functions: readonly LocalFunction[], configuration: (fn: LocalFunction) => FunctionConfiguration, response: ServerResponse): void {
  const maxItems = Number(url.searchParams.get('MaxItems') ?? 50);
  const marker = Number(url.searchParams.get('Marker') ?? 0);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
    lambdaError(response, 400, 'InvalidParameterValueException', 'MaxItems must be an integer from 1 to 10000');
    return;
  }
  if (!Number.isInteger(marker) || marker < 0 || marker > functions.length) {
    lambdaError(response, 400, 'InvalidParameterValueException', 'Marker is not one this endpoint returned');
    return;
  }
  const page = functions.slice(marker, marker + maxItems);
  const next = marker + page.length;
  sendJson(response, 200, { Functions: page.map(configuration), ...(next < functions.length ? { NextMarker: String(next) } : {}) });
}

/** The Step Functions API: AWS JSON 1.0 with `X-Amz-Target: AWSStepFunctions.<Operation>`. */
export function stepFunctionsEndpoint(sfn: StepFunctionsApi) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedUnsigned(request, response, (type, message) => ({ __type: type, message }))) return;
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    const body = await readBody(request, 1024 * 1024);
    const headers = { 'Content-Type': 'application/x-amz-json-1.0' };
    try {
      if (!operation) throw new SfnApiError('UnknownOperationException', 'Missing X-Amz-Target');
      if (!body) throw new SfnApiError('ValidationException', 'Request too large');
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (typeof parsed !== 'object' || parsed === null) throw new SfnApiError('ValidationException', 'Request body must be a JSON object');
      // Error messages format request members, and formatting a deeply nested one overflows the stack.
      if (nestsDeeperThan(parsed)) throw new SfnApiError('SerializationException', `Request body nests deeper than ${String(MAX_PAYLOAD_DEPTH)} levels`);
      const result = sfn.handle(operation, parsed as Record<string, unknown>);
      // A started or stopped execution must survive a crash of the runtime from the moment the caller hears of it.
      if (operation === 'StartExecution' || operation === 'StopExecution') await sfn.service.journalled();
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

/**
 * The local-only endpoints' refusal of what a web page could send: any request from another
 * origin (a GET to /_local/meter?reset=1 acts too), and a body that is not JSON. True when refused.
 */
export function refusedCrossSite(request: IncomingMessage, response: ServerResponse): boolean {
  const crossSite = crossOriginRefusal(request);
  if (crossSite) {
    refuseJson(response, 403, crossSite);
    return true;
  }
  const contentType = contentTypeRefusal(request);
  if (contentType) {
    refuseJson(response, 415, contentType);
    return true;
  }
  return false;
}

/**
 * Fault injection (only with `faults: true`), on the Lambda endpoint: `POST /_local/faults` with
 * `{"function": "CapturePaymentFunction", "kind": "crash" | "timeout", "count": 3}` or
 * `{"outage": "s3" | "dynamodb" | "stripe", "ms": 2000}` (stripe with PaymentProvider=stripe), or
 * `{"expressDuplicates": true}` (every Express start runs twice); `GET` returns what was injected.
 */
export function faultEndpoint(lambda: LambdaService, proxies: { dynamodb: OutageProxy; s3: OutageProxy; stripe?: OutageProxy }, sfn?: StepFunctionsApi) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedCrossSite(request, response)) return;
    if (request.method === 'GET') {
      sendJson(response, 200, {
        lambda: lambda.injected,
        refusedConnections: { dynamodb: proxies.dynamodb.refused, s3: proxies.s3.refused, ...(proxies.stripe ? { stripe: proxies.stripe.refused } : {}) },
        ...(sfn ? { expressDuplicates: { on: sfn.duplicateExpressStarts, started: sfn.expressDuplicatesStarted }, runningExecutions: sfn.service.runningCount } : {}),
      });
      return;
    }
    // The chaos suite is the only caller: no size limit, as before this endpoint moved here.
    const raw = await readBody(request, Number.POSITIVE_INFINITY);
    let body: { function?: unknown; kind?: unknown; count?: unknown; outage?: unknown; ms?: unknown; expressDuplicates?: unknown };
    try {
      body = JSON.parse((raw ?? Buffer.alloc(0)).toString('utf8')) as typeof body;
    } catch {
      sendJson(response, 400, { message: 'Body must be JSON' });
      return;
    }
    // Express at-least-once: every Express start also starts a duplicate execution (WorkflowType=EXPRESS).
    if (typeof body.expressDuplicates === 'boolean' && sfn) {
      sfn.duplicateExpressStarts = body.expressDuplicates;
      sendJson(response, 202, { expressDuplicates: body.expressDuplicates });
      return;
    }
    if (body.outage === 's3' || body.outage === 'dynamodb') {
      proxies[body.outage].outage(typeof body.ms === 'number' ? Math.max(0, body.ms) : 1000);
      sendJson(response, 202, { outage: body.outage, ms: body.ms });
      return;
    }
    // With PaymentProvider=stripe: the payment functions lose stripe-mock (connection errors: ProviderUnavailable).
    if (body.outage === 'stripe' && proxies.stripe) {
      proxies.stripe.outage(typeof body.ms === 'number' ? Math.max(0, body.ms) : 1000);
      sendJson(response, 202, { outage: body.outage, ms: body.ms });
      return;
    }
    if (typeof body.function === 'string' && (body.kind === 'crash' || body.kind === 'timeout')) {
      try {
        lambda.injectFault(body.function, body.kind, typeof body.count === 'number' ? Math.max(1, body.count) : 1);
      } catch (error) {
        sendJson(response, 404, { message: error instanceof Error ? error.message : String(error) });
        return;
      }
      sendJson(response, 202, { function: body.function, kind: body.kind, count: body.count ?? 1 });
      return;
    }
    sendJson(response, 400, { message: 'Send {function, kind: crash|timeout, count} or {outage: s3|dynamodb, ms}' });
  };
}

/**
 * Store metering (only with `meter: true`, for `npm run cost`), on the Lambda endpoint:
 * `GET /_local/meter[?reset=1]` answers what the functions asked of each store since start or the last reset.
 */
export function meterEndpoint(meters: { dynamodb: MeteringProxy; s3: MeteringProxy }) {
  return (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedCrossSite(request, response)) return Promise.resolve();
    sendJson(response, 200, { dynamodb: meters.dynamodb.read(), s3: meters.s3.read() });
    if (request.url?.includes('reset=1')) for (const meter of Object.values(meters)) meter.reset();
    return Promise.resolve();
  };
}
