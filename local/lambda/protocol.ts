/** Messages between the local Lambda service and an execution environment (a worker thread). */

export interface InvokeContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  /** Epoch ms at which the invocation times out. */
  deadlineMs: number;
}

export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/*
 * Lambda's runtime takes invocations and answers them as JSON (the Runtime API), so both ways the
 * payload crosses as JSON text, not a structured clone: the handler gets `JSON.parse` of the event,
 * and its result is what `JSON.stringify` makes of it (a Date arrives as its ISO string, undefined
 * and functions vanish, a BigInt or a cycle is Runtime.JSONStringifyError), as on Lambda. Measured:
 * a GET's event and result cost the same per round trip either way (55-62 µs of CPU in both threads).
 */

/** The largest synchronous response Lambda returns; a larger result fails as Function.ResponseSizeTooLarge. */
export const MAX_RESPONSE_BYTES = 6_291_556;

/** `delayMs` is injected latency (fault injection): the environment waits before calling the handler. */
export type ToEnvironment =
  | { type: 'invoke'; id: number; eventJson: string; context: InvokeContext; delayMs?: number }
  /** Ends the environment cleanly, so per-thread diagnostics such as --cpu-prof are written. */
  | { type: 'shutdown' };

export type FromEnvironment =
  | { type: 'ready'; initMs: number }
  | { type: 'initError'; error: LambdaErrorPayload }
  | { type: 'result'; id: number; ok: true; payloadJson: string; maxMemoryUsedMb: number }
  | { type: 'result'; id: number; ok: false; error: LambdaErrorPayload; maxMemoryUsedMb: number };

/** Lambda's error payload for a thrown value. */
export function toErrorPayload(error: unknown): LambdaErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n').slice(1).map((line) => line.trim()) };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

/**
 * The result's JSON text as the Lambda runtime sends it (`null` for undefined), or the error Lambda
 * reports when it cannot: Runtime.JSONStringifyError when JSON.stringify throws (the Node.js
 * runtime's own name and message), Function.ResponseSizeTooLarge above 6,291,556 bytes.
 */
export function serializeResult(payload: unknown): { ok: true; json: string } | { ok: false; error: LambdaErrorPayload } {
  let json: string;
  try {
    json = JSON.stringify(payload === undefined ? null : payload);
  } catch {
    return { ok: false, error: { errorType: 'Runtime.JSONStringifyError', errorMessage: 'Unable to stringify response body', trace: [] } };
  }
  if (Buffer.byteLength(json) > MAX_RESPONSE_BYTES) {
    return { ok: false, error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${String(MAX_RESPONSE_BYTES)} bytes).`, trace: [] } };
  }
  return { ok: true, json };
}
