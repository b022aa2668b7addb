import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../lambda/payload-limits';

/*
 * The Step Functions API's error type and its check of an execution's input, apart from the API
 * dispatch (api.ts) so that the engine (stepfunctions-service.ts), which re-checks journalled input
 * on resume, does not import the API that is built on it.
 */

/** A Step Functions API error, serialised as AWS JSON 1.0 `{__type, message}`. */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** AWS's quota on execution input: 256 KiB as UTF-8. */
const MAX_INPUT_BYTES = 256 * 1024;

/**
 * Execution input as AWS takes it: a string of at most 256 KiB holding JSON. Also refused here:
 * input nested deeper than the engine can walk, which would otherwise fail the run in the runtime.
 */
export function checkExecutionInput(input: string): void {
  if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
    throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: the input is larger than the ${String(MAX_INPUT_BYTES)}-byte limit`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
  }
  if (nestsDeeperThan(parsed)) {
    throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: it nests deeper than the local runtime's ${String(MAX_PAYLOAD_DEPTH)} levels`);
  }
}
