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

/** `delayMs` is injected latency (fault injection): the environment waits before calling the handler. */
export type ToEnvironment =
  | { type: 'invoke'; id: number; event: unknown; context: InvokeContext; delayMs?: number }
  /** Ends the environment cleanly, so per-thread diagnostics such as --cpu-prof are written. */
  | { type: 'shutdown' };

export type FromEnvironment =
  | { type: 'ready'; initMs: number }
  | { type: 'initError'; error: LambdaErrorPayload }
  | { type: 'result'; id: number; ok: true; payload: unknown; maxMemoryUsedMb: number }
  | { type: 'result'; id: number; ok: false; error: LambdaErrorPayload; maxMemoryUsedMb: number };

/** Lambda's error payload for a thrown value. */
export function toErrorPayload(error: unknown): LambdaErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n').slice(1).map((line) => line.trim()) };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}
