import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiClient } from '../support/runtime-clients';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';

/*
 * Issue 12, breaks 1 and 3, against the running runtime: input that used to crash it gets a 4xx
 * and the runtime keeps serving; the Step Functions API enforces AWS's limits and types; a
 * journal entry that cannot be resumed is quarantined and its execution FAILED, while start-up
 * goes on; and a stopped execution invokes no further task, with every invocation in its history.
 */
jest.setTimeout(180_000);

// Well-formed SigV4 credentials, as AWS requires on its endpoints (any are accepted locally).
const AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;
const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

let runtime: LocalRuntimeProcess | undefined;
afterEach(async () => {
  await runtime?.stop('SIGTERM');
  runtime = undefined;
});

async function sfn(info: LocalRuntimeProcess['info'], operation: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(info.endpoints.sfn, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${operation}`, Authorization: AUTHORIZATION },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function invoke(info: LocalRuntimeProcess['info'], fn: string, body: string, type = 'RequestResponse') {
  const response = await fetch(`${info.endpoints.lambda}/2015-03-31/functions/${fn}/invocations`, {
    method: 'POST',
    headers: { 'X-Amz-Invocation-Type': type, Authorization: AUTHORIZATION.replace('/states/', '/lambda/') },
    body,
  });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), text: await response.text() };
}

const executionArn = (info: LocalRuntimeProcess['info'], name: string) =>
  `${String(info.stateMachines.OrderProcessingStateMachine).replace(':stateMachine:', ':execution:')}:${name}`;

describe('local runtime hardening', () => {
  it('answers deeply nested JSON with a 4xx on every endpoint and keeps serving', async () => {
    runtime = await startLocalRuntime(newStateDir(), { fresh: true });
    const { info } = runtime;
    const stateMachineArn = info.stateMachines.OrderProcessingStateMachine;
    const deep = deepJson(5000); // about 10 KB; this crashed the runtime before

    const started = await sfn(info, 'StartExecution', { stateMachineArn, input: deep });
    expect(started).toMatchObject({ status: 400, body: { __type: 'InvalidExecutionInput' } });
    expect(await invoke(info, 'CreateOrderFunction', deep, 'Event')).toMatchObject({ status: 400, errorType: 'InvalidRequestContentException' });
    expect(await invoke(info, 'CreateOrderFunction', deep)).toMatchObject({ status: 400, errorType: 'InvalidRequestContentException' });
    const nestedBody = await fetch(info.endpoints.sfn, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSStepFunctions.StartExecution', Authorization: AUTHORIZATION },
      body: `{"stateMachineArn":${deep}}`,
    });
    expect(nestedBody.status).toBe(400);

    // Still alive, and still serving the ordinary calls.
    const listed = await sfn(info, 'ListExecutions', { stateMachineArn });
    expect(listed.status).toBe(200);
    expect(runtime.output()).not.toMatch(/unhandled rejection|Maximum call stack/);
  });

  it("enforces AWS's limits and types on the Step Functions API", async () => {
    runtime = await startLocalRuntime(newStateDir(), { fresh: true });
    const { info } = runtime;
    const stateMachineArn = info.stateMachines.OrderProcessingStateMachine;
    const errorOf = async (operation: string, body: Record<string, unknown>) => {
      const answer = await sfn(info, operation, body);
      expect(answer.status).toBe(400);
      return answer.body.__type;
    };
    const big = JSON.stringify({ pad: 'x'.repeat(256 * 1024) });
    expect(await errorOf('StartExecution', { stateMachineArn, input: big })).toBe('InvalidExecutionInput');
    expect(await errorOf('StartExecution', { stateMachineArn, input: { not: 'a string' } })).toBe('SerializationException');
    expect(await errorOf('StartExecution', { stateMachineArn, input: 'not json' })).toBe('InvalidExecutionInput');
    expect(await errorOf('StartExecution', { stateMachineArn, name: 42 })).toBe('SerializationException');
    expect(await errorOf('StartExecution', { stateMachineArn, name: '' })).toBe('InvalidName');
    expect(await errorOf('StartExecution', { stateMachineArn, name: 'n'.repeat(81) })).toBe('InvalidName');
    expect(await errorOf('StartExecution', { stateMachineArn, name: 'line\u2028separator' })).toBe('InvalidName');
    expect(await errorOf('StartExecution', { stateMachineArn, name: 'para\u2029separator' })).toBe('InvalidName');
    expect(await errorOf('ListExecutions', { stateMachineArn, nextToken: 'not-a-token' })).toBe('InvalidToken');
    expect(await errorOf('ListExecutions', { stateMachineArn, nextToken: Buffer.from('99999').toString('base64') })).toBe('InvalidToken');
    expect(await errorOf('ListExecutions', { stateMachineArn, statusFilter: 'EXPLODED' })).toBe('ValidationException');
    expect(await errorOf('ListExecutions', { stateMachineArn, maxResults: 1001 })).toBe('ValidationException');
    expect(await errorOf('ListExecutions', { stateMachineArn, maxResults: -1 })).toBe('ValidationException');
    expect(await errorOf('ListExecutions', { stateMachineArn, maxResults: 1.5 })).toBe('ValidationException');

    // What AWS accepts still works: the largest name, a page size, a page token we gave out.
    const fine = await sfn(info, 'StartExecution', { stateMachineArn, name: 'n'.repeat(80), input: '{}' });
    expect(fine.status).toBe(200);
    await sfn(info, 'StartExecution', { stateMachineArn, input: '{}' });
    const first = await sfn(info, 'ListExecutions', { stateMachineArn, maxResults: 1 });
    expect(first.status).toBe(200);
    expect(typeof first.body.nextToken).toBe('string');
    const second = await sfn(info, 'ListExecutions', { stateMachineArn, maxResults: 1, nextToken: first.body.nextToken });
    expect(second.status).toBe(200);
    expect((await sfn(info, 'ListExecutions', { stateMachineArn, statusFilter: 'FAILED', maxResults: 0 })).status).toBe(200);
  });

  it('quarantines a journal entry that cannot be resumed, fails its execution naming the cause, and starts', async () => {
    const stateDir = newStateDir();
    const journalDir = join(stateDir, 'data', 'executions');
    mkdirSync(journalDir, { recursive: true });
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:OrderProcessingStateMachine';
    const record = (name: string) => ({
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn,
      name,
      input: deepJson(5000),
      status: 'RUNNING',
      startDate: Date.now() - 1000,
      redriveCount: 0,
    });
    // The entry the deep StartExecution input used to leave behind, one line that is not an entry, and a torn line.
    writeFileSync(
      join(journalDir, 'journal.jsonl'),
      [JSON.stringify({ record: record('poisoned'), events: [] }), JSON.stringify({ nothing: true }), '{"record":{"executionArn'].join('\n'),
    );

    runtime = await startLocalRuntime(stateDir);
    const { info } = runtime;
    const described = await sfn(info, 'DescribeExecution', { executionArn: executionArn(info, 'poisoned') });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(String(described.body.cause)).toMatch(/could not resume.*nests deeper/);
    const quarantined = readFileSync(join(journalDir, 'quarantine.jsonl'), 'utf8').trim().split('\n');
    expect(quarantined).toHaveLength(3);
    expect(runtime.output()).toMatch(/poisoned cannot be resumed/);

    // Serving, and the quarantined entry is not resumed again on the next start.
    await runtime.stop('SIGTERM');
    runtime = await startLocalRuntime(stateDir);
    expect(runtime.info.resumedExecutions).toBe(0);
    const again = await sfn(runtime.info, 'DescribeExecution', { executionArn: executionArn(runtime.info, 'poisoned') });
    expect(again.body).toMatchObject({ status: 'FAILED' });
  });

  it('invokes no task of a stopped execution, and records every invocation that happened', async () => {
    runtime = await startLocalRuntime(newStateDir(), { fresh: true });
    const { info } = runtime;
    const running = runtime;
    const output = () => running.output();
    const api = apiClient(info.apiUrl, info.apiKeys[0]?.value ?? '');
    const authorizations = () => output().split('\n').filter((line) => line.includes('REPORT') && line.includes('Function: AuthorizePaymentFunction')).length;

    // tok_flaky_9 fails transiently 9 times: the execution sits in Authorize Payment's retries.
    const placed = await api.request('POST', '/orders', { body: orderRequest({ payment: { token: 'tok_flaky_9' } }) });
    expect(placed.status).toBe(202);
    const arn = executionArn(info, String(placed.body.orderId));
    const deadline = Date.now() + 30_000;
    while (authorizations() < 2) {
      if (Date.now() > deadline) throw new Error(`Authorize Payment was not retried:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const atStop = authorizations();
    const stopped = await sfn(info, 'StopExecution', { executionArn: arn, error: 'Test.Stopped' });
    expect(stopped.status).toBe(200);
    // Longer than the retry backoff the stop cut short (FULL jitter, at most 8 s per wait, and the unpatched engine retried at once).
    const quiet = Date.now() + 10_000;
    while (Date.now() < quiet) await new Promise((resolve) => setTimeout(resolve, 100));
    // At most one invocation was already in flight when the stop landed; none started after it.
    expect(authorizations() - atStop).toBeLessThanOrEqual(1);

    const history = await sfn(info, 'GetExecutionHistory', { executionArn: arn });
    const events = history.body.events as { type: string; taskScheduledEventDetails?: { parameters?: string } }[];
    const scheduled = events.filter((event) => event.type === 'TaskScheduled' && String(event.taskScheduledEventDetails?.parameters).includes('AuthorizePayment'));
    expect(scheduled).toHaveLength(authorizations());
    expect(events.at(-1)?.type).toBe('ExecutionAborted');
    const described = await sfn(info, 'DescribeExecution', { executionArn: arn });
    expect(described.body).toMatchObject({ status: 'ABORTED', error: 'Test.Stopped' });
  });
});
