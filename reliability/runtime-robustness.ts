import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { newStateDir, startLocalRuntime } from '../tests/support/local-runtime';
import { orderRequest } from '../tests/support/orders';
import { sleep, until } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import type { Row } from './summary';

/*
 * Issue 12, breaks 1–3, as a careless or hostile client meets them: input that used to crash the
 * runtime, AWS's own limits on the Step Functions API, an execution environment leaked by a refused
 * invoke, a journal entry that cannot be resumed, and StopExecution during a task's retry backoff.
 * Everything goes through the SDK, signed, as AWS's endpoints require.
 */

const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const DEPTH = 5000;

/** The AWS error name an SDK call failed with, or 'ok'. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

function lambdaClient(clients: RuntimeClients): LambdaClient {
  return new LambdaClient({ region: clients.info.region, credentials: clients.info.credentials, endpoint: clients.info.endpoints.lambda });
}

/** Deeply nested JSON on every way in, then an ordinary order: 4xx each, and the runtime still serves. */
export async function nestedInputRows(clients: RuntimeClients): Promise<Row[]> {
  const lambda = lambdaClient(clients);
  const stateMachineArn = Object.values(clients.info.stateMachines)[0] ?? '';
  const payload = new TextEncoder().encode(deepJson(DEPTH));
  try {
    const seen = {
      startExecution: await outcome(() => clients.sfn.send(new StartExecutionCommand({ stateMachineArn, input: deepJson(DEPTH) }))),
      syncInvoke: await outcome(() => lambda.send(new InvokeCommand({ FunctionName: 'CreateOrderFunction', Payload: payload }))),
      eventInvoke: await outcome(() => lambda.send(new InvokeCommand({ FunctionName: 'CreateOrderFunction', Payload: payload, InvocationType: 'Event' }))),
    };
    // The leaked-environment class: refused invokes must not hold CreateOrder's environments.
    for (let index = 0; index < 6; index++) await outcome(() => lambda.send(new InvokeCommand({ FunctionName: 'CreateOrderFunction', Payload: payload })));
    const started = Date.now();
    const placed = await clients.api.request('POST', '/orders', { body: orderRequest() });
    const afterMs = Date.now() - started;
    const refusedAsAws =
      seen.startExecution === 'InvalidExecutionInput' && seen.syncInvoke === 'InvalidRequestContentException' && seen.eventInvoke === 'InvalidRequestContentException';
    return [
      {
        area: 'Runtime',
        check: 'deeply nested JSON cannot crash the runtime',
        tried: `${String(DEPTH)}-level JSON as a StartExecution input, a sync invoke and an Event invoke`,
        required: 'InvalidExecutionInput / InvalidRequestContentException ×2, and the runtime keeps serving',
        observed: `${seen.startExecution} / ${seen.syncInvoke} / ${seen.eventInvoke}; next POST /orders ${String(placed.status)}`,
        held: refusedAsAws && placed.status === 202,
      },
      {
        area: 'Runtime',
        check: 'a refused invoke leaks no execution environment',
        tried: '6 invokes of CreateOrder refused before its handler (more than its environments), then POST /orders',
        required: '202 well before CreateOrder\'s 28 s timeout (it used to wait for it)',
        observed: `${String(placed.status)} in ${String(afterMs)} ms`,
        held: placed.status === 202 && afterMs < 10_000,
      },
    ];
  } finally {
    lambda.destroy();
  }
}

/** AWS's limits and types on StartExecution and ListExecutions. */
export async function stepFunctionsLimitRows(sfn: SFNClient, stateMachineArn: string): Promise<Row[]> {
  const cases: [string, string, () => Promise<unknown>][] = [
    ['input of 300 KB', 'InvalidExecutionInput', () => sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) }))],
    ['input that is not JSON', 'InvalidExecutionInput', () => sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"orderId":' }))],
    ['name of 81 characters', 'InvalidName', () => sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'n'.repeat(81), input: '{}' }))],
    ['name with U+2028', 'InvalidName', () => sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'a\u2028b', input: '{}' }))],
    ['nextToken never issued', 'InvalidToken', () => sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken: 'forged-token' }))],
    ['maxResults 1001', 'ValidationException', () => sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1001 }))],
  ];
  const seen: string[] = [];
  let held = true;
  for (const [label, expected, call] of cases) {
    const got = await outcome(call);
    seen.push(`${label}: ${got}`);
    held &&= got === expected;
  }
  return [
    {
      area: 'Runtime',
      check: 'Step Functions API enforces AWS\'s limits and types',
      tried: cases.map(([label]) => label).join('; '),
      required: cases.map(([, expected]) => expected).join(', '),
      observed: seen.join('; '),
      held,
    },
  ];
}

/** StopExecution while Authorize Payment waits between retries: nothing more runs, and the history holds every invocation. */
export async function stopMidRetryRow(clients: RuntimeClients, output: () => string): Promise<Row> {
  // tok_flaky_9 fails transiently 9 times: the execution sits in Authorize Payment's retries.
  const placed = await clients.api.request('POST', '/orders', { body: orderRequest({ payment: { token: 'tok_flaky_9' } }) });
  const orderId = String(placed.body.orderId);
  // This order's invocations only (its id is on every line the function logs): another order's
  // Authorize Payment, still running from an earlier check, must not count.
  const authorizations = () => output().split('\n').filter((line) => line.includes('"message":"Step started"') && line.includes('AuthorizePaymentFunction') && line.includes(orderId)).length;
  const executionArn = `${String(Object.values(clients.info.stateMachines)[0]).replace(':stateMachine:', ':execution:')}:${orderId}`;
  const retried = await until(() => Promise.resolve(authorizations() >= 2), 30_000, 20);
  const atStop = authorizations();
  await clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'Reliability.Stopped' }));
  // Longer than any backoff the stop cut short (FULL jitter, at most 8 s per wait).
  await sleep(9_000);
  const after = authorizations() - atStop;
  const history = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  const scheduled = (history.events ?? []).filter((event) => event.type === 'TaskScheduled' && (event.taskScheduledEventDetails?.parameters ?? '').includes('AuthorizePayment')).length;
  const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  const invoked = authorizations();
  return {
    area: 'Runtime',
    check: 'StopExecution stops a task between its retries',
    tried: `a tok_flaky_9 order stopped after ${String(atStop)} authorizations, watched for 9 s`,
    required: 'at most the 1 invocation in flight after the stop; every invocation in the history; ABORTED',
    observed: `${String(after)} after the stop; ${String(scheduled)} TaskScheduled for ${String(invoked)} invocations; ${String(described.status)}`,
    held: retried && after <= 1 && scheduled === invoked && described.status === 'ABORTED',
  };
}

/** A journal entry the runtime cannot resume: quarantined, its execution FAILED naming the cause, and start-up goes on. */
export async function journalQuarantineRow(onOutput: (chunk: string) => void): Promise<Row> {
  const stateDir = newStateDir();
  const journalDir = join(stateDir, 'data', 'executions');
  mkdirSync(journalDir, { recursive: true });
  const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:OrderProcessingStateMachine';
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:poisoned`;
  const record = { executionArn, stateMachineArn, name: 'poisoned', input: deepJson(DEPTH), status: 'RUNNING', startDate: Date.now() - 1000, redriveCount: 0 };
  writeFileSync(join(journalDir, 'journal.jsonl'), `${JSON.stringify({ record, events: [] })}\n{"record":{"executionArn`);
  const runtime = await startLocalRuntime(stateDir, { onOutput });
  try {
    const sfn = new SFNClient({ region: runtime.info.region, credentials: runtime.info.credentials, endpoint: runtime.info.endpoints.sfn });
    try {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return {
        area: 'Runtime',
        check: 'a journal entry that cannot be resumed does not stop start-up',
        tried: `a RUNNING entry with ${String(DEPTH)}-level input and a torn line in the journal, then npm start`,
        required: 'start-up completes; the execution FAILED naming the cause',
        observed: `started; ${String(execution.status)} ${String(execution.error)}: ${String(execution.cause).slice(0, 80)}`,
        held: execution.status === 'FAILED' && /resume/.test(String(execution.cause)),
      };
    } finally {
      sfn.destroy();
    }
  } finally {
    await runtime.stop('SIGTERM');
  }
}
