import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SfnApiError, StepFunctionsApi } from '../../../local/stepfunctions/api';
import { StepFunctionsService } from '../../../local/stepfunctions/stepfunctions-service';
import type { LocalStateMachine } from '../../../local/template/local-template';
import { FakeLambda, failure, localFunction, ok } from './fake-lambda';

const WORKER = localFunction('WorkerFunction');
const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Test';

function machine(states: Record<string, unknown>, startAt = 'Work'): LocalStateMachine {
  return { logicalId: 'Test', name: 'Test', arn: ARN, type: 'STANDARD', definition: { StartAt: startAt, States: states } };
}

const task = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: WORKER.aliasArn, 'Payload.$': '$' },
  ResultSelector: { 'value.$': '$.Payload' },
  ResultPath: '$.result',
  ...('Next' in extra ? {} : { End: true }),
  ...extra,
});

/** The API over a fresh engine: tests drive it as callers do, and reach the engine through `.service`. */
function service(lambda: FakeLambda, definition: LocalStateMachine, journalDir = mkdtempSync(join(tmpdir(), 'sfn-'))) {
  return new StepFunctionsApi(new StepFunctionsService([definition], lambda, { journalDir, maxRunning: 4, log: () => undefined }));
}

async function waitFor(sfn: StepFunctionsApi, executionArn: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const description = sfn.handle('DescribeExecution', { executionArn }) as Record<string, unknown>;
    if (description.status !== 'RUNNING') return description;
    if (Date.now() > deadline) throw new Error('execution still running');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('local Step Functions service', () => {
  it('keeps finished histories in the journal, not in memory, and serves them from there (also after a restart)', async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok({ echoed: event }) } });
    const definition = machine({ Work: task({ Next: 'Again' }), Again: task() });
    const journalDir = mkdtempSync(join(tmpdir(), 'sfn-'));
    const engine = new StepFunctionsService([definition], lambda, { journalDir, maxRunning: 4, log: () => undefined, historyInMemoryMs: 50 });
    const sfn = new StepFunctionsApi(engine);
    // Interleaved executions, so each one's lines are scattered through the journal.
    const arns = ['a', 'b', 'c'].map((name) => (sfn.handle('StartExecution', { stateMachineArn: ARN, name, input: `{"who":"${name}"}` }) as { executionArn: string }).executionArn);
    for (const arn of arns) await waitFor(sfn, arn);
    const before = arns.map((executionArn) => sfn.handle('GetExecutionHistory', { executionArn }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const arn of arns) expect(engine.execution(arn)?.events).toEqual([]);
    expect(arns.map((executionArn) => sfn.handle('GetExecutionHistory', { executionArn }))).toEqual(before);
    expect((before[1] as { events: { type: string }[] }).events).toHaveLength(12);
    await engine.close();
    const restarted = new StepFunctionsApi(new StepFunctionsService([definition], lambda, { journalDir, maxRunning: 4, log: () => undefined }));
    expect(arns.map((executionArn) => restarted.handle('GetExecutionHistory', { executionArn }))).toEqual(before);
    await restarted.service.close();
  });

  it('keeps an invocation in flight at StopExecution in the journalled history, before the abort, and nothing of it after', async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: () => new Promise((resolve) => setTimeout(() => { resolve(ok(1)); }, 150)) } });
    const engine = new StepFunctionsService([machine({ Work: task() })], lambda, { journalDir: mkdtempSync(join(tmpdir(), 'sfn-')), maxRunning: 4, log: () => undefined, historyInMemoryMs: 50 });
    const sfn = new StepFunctionsApi(engine);
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'stopped', input: '{}' }) as { executionArn: string };
    await new Promise((resolve) => setTimeout(resolve, 50));
    sfn.handle('StopExecution', { executionArn });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(engine.execution(executionArn)?.events).toEqual([]);
    const { events } = sfn.handle('GetExecutionHistory', { executionArn }) as { events: { type: string }[] };
    // The invocation ended 100 ms after the stop; as on AWS, the aborted history records nothing after ExecutionAborted.
    expect(events.map((event) => event.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'ExecutionAborted']);
    await engine.close();
  });

  it('refuses at start-up a Task resource it cannot run, naming the state', () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: () => ok(1) } });
    expect(() => service(lambda, machine({ Work: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true } }))).toThrow(
      /state "Work" uses resource arn:aws:states:::dynamodb:putItem/,
    );
    expect(() => service(lambda, machine({ Work: task({ Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:0:function:Missing' } }) }))).toThrow(
      /state "Work" invokes .*Missing, which is not a function in the template/,
    );
  });

  it('runs a Task through the Lambda service and records AWS-shaped history', async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok({ echoed: event }) } });
    const sfn = service(lambda, machine({ Work: task() }));
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'run-1', input: '{"n":1}' }) as { executionArn: string };

    const description = await waitFor(sfn, executionArn);
    expect(description.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(description.output))).toEqual({ n: 1, result: { value: { echoed: { n: 1 } } } });
    const { events } = sfn.handle('GetExecutionHistory', { executionArn }) as { events: { type: string; id: number; previousEventId: number }[] };
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => [event.id, event.previousEventId])).toEqual(events.map((_, index) => [index + 1, index]));
  });

  it("hands Lambda errors to Retry and Catch with Lambda's JSON Cause", async () => {
    let calls = 0;
    const lambda = new FakeLambda({
      WorkerFunction: { fn: WORKER, behaviour: () => (++calls === 1 ? failure('ProviderUnavailable', 'try again') : failure('PaymentDeclined', 'no')) },
    });
    const sfn = service(
      lambda,
      machine({
        Work: task({
          Retry: [{ ErrorEquals: ['ProviderUnavailable'], IntervalSeconds: 0, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['PaymentDeclined'], ResultPath: '$.error', Next: 'Declined' }],
          Next: 'Declined',
        }),
        Declined: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
      }),
    );
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'run-2' }) as { executionArn: string };
    const description = await waitFor(sfn, executionArn);
    expect(description).toMatchObject({ status: 'FAILED', error: 'PaymentDeclined' });
    expect(JSON.parse(String(description.cause))).toEqual({ errorType: 'PaymentDeclined', errorMessage: 'no', trace: [] });
    const { events } = sfn.handle('GetExecutionHistory', { executionArn }) as { events: { type: string }[] };
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
  });

  it('treats execution names as AWS does', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: async () => (await gate, ok(1)) } });
    const sfn = service(lambda, machine({ Work: task() }));
    const first = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'order-1', input: '{}' }) as { executionArn: string };
    expect(sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'order-1', input: '{}' })).toEqual(first);
    expect(() => sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'order-1', input: '{"other":1}' })).toThrow(SfnApiError);
    release();
    await waitFor(sfn, first.executionArn);
    expect(() => sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'order-1', input: '{}' })).toThrow(/Execution Already Exists/);
    for (const name of ['has space', 'a/b', 'x'.repeat(81), '']) {
      expect(() => sfn.handle('StartExecution', { stateMachineArn: ARN, name })).toThrow(/Invalid Name/);
    }
    expect(() => sfn.handle('DescribeExecution', { executionArn: 'nope' })).toThrow(/Execution Does Not Exist/);
  });

  it('resumes a journalled execution at the state that was running (a redrive)', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'sfn-journal-'));
    const stuck = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: () => new Promise(() => undefined) } });
    // A short task timeout, so the suspended engine's timer does not outlive the test.
    const definition = machine({ First: { Type: 'Pass', Result: 'passed', ResultPath: '$.first', Next: 'Work' }, Work: task({ TimeoutSeconds: 1 }) }, 'First');
    const before = service(stuck, definition, journalDir);
    const { executionArn } = before.handle('StartExecution', { stateMachineArn: ARN, name: 'resume-me', input: '{"n":2}' }) as { executionArn: string };
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stuck.calls).toHaveLength(1);
    await before.service.journalled(); // as StartExecution's answer waits for, through the runtime
    before.service.suspendRunning(); // as if the runtime had died: the journal still says RUNNING

    const healthy = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok(event) } });
    const after = service(healthy, definition, journalDir);
    expect(after.service.resumeFromJournal()).toBe(1);
    const description = await waitFor(after, executionArn);
    expect(description).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    // Resumed at Work with Work's input: the Pass state did not run again.
    expect(healthy.calls).toEqual([{ name: 'WorkerFunction', event: { n: 2, first: 'passed' } }]);
    const { events } = after.handle('GetExecutionHistory', { executionArn }) as { events: { type: string }[] };
    expect(events.filter((event) => event.type === 'ExecutionRedriven')).toHaveLength(1);
  });

  it('redrives a failed execution from the state that failed, keeping the earlier states\' results (RedriveExecution)', async () => {
    let calls = 0;
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => (++calls === 1 ? failure('ProviderUnavailable', 'down') : ok(event)) } });
    const sfn = service(lambda, machine({ First: { Type: 'Pass', Result: 'passed', ResultPath: '$.first', Next: 'Work' }, Work: task() }, 'First'), mkdtempSync(join(tmpdir(), 'sfn-')));
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'redrive-me', input: '{"n":3}' }) as { executionArn: string };
    expect(await waitFor(sfn, executionArn)).toMatchObject({ status: 'FAILED', error: 'ProviderUnavailable', redriveCount: 0 });

    expect(sfn.handle('RedriveExecution', { executionArn })).toEqual({ redriveDate: expect.any(Number) as number });
    expect(await waitFor(sfn, executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(lambda.calls.map((call) => call.event)).toEqual([{ n: 3, first: 'passed' }, { n: 3, first: 'passed' }]);
    const { events } = sfn.handle('GetExecutionHistory', { executionArn }) as { events: { type: string }[] };
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === 'PassStateEntered')).toHaveLength(1);
    expect(types.slice(types.indexOf('ExecutionFailed'))).toEqual([
      'ExecutionFailed', 'ExecutionRedriven', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    expect(() => sfn.handle('RedriveExecution', { executionArn })).toThrow(expect.objectContaining({ type: 'ExecutionNotRedrivable' }) as Error);
    await sfn.service.close();
  });

  it('redrives an execution that ended in a Fail state by rerunning that Fail state, as AWS does', async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: () => failure('PaymentDeclined', 'no') } });
    const sfn = service(lambda, machine({ Work: task({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Stop' }], Next: 'Stop' }), Stop: { Type: 'Fail', Error: 'Stopped' } }));
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'fail-state', input: '{}' }) as { executionArn: string };
    await waitFor(sfn, executionArn);
    sfn.handle('RedriveExecution', { executionArn });
    expect(await waitFor(sfn, executionArn)).toMatchObject({ status: 'FAILED', error: 'Stopped', redriveCount: 1 });
    expect(lambda.calls).toHaveLength(1);
    await sfn.service.close();
  });
});

describe('local Step Functions service: versions behind an alias', () => {
  const ALIAS = `${ARN}:live`;
  const versioned = (states: Record<string, unknown>, startAt = 'Work'): LocalStateMachine => ({ ...machine(states, startAt), alias: 'live' });
  /** Work, then a Pass state that stamps which definition ran it: what a resumed execution must keep. */
  const stamped = (stamp: string, work: Record<string, unknown> = {}) =>
    versioned({ Work: task({ ...work, Next: 'Stamp' }), Stamp: { Type: 'Pass', Result: stamp, ResultPath: '$.definition', End: true } });
  const echo = () => new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok(event) } });

  it('associates executions with the alias and its version, a version alone, or nothing, as AWS does', async () => {
    const sfn = service(echo(), stamped('v1'));
    const viaAlias = sfn.handle('StartExecution', { stateMachineArn: ALIAS, name: 'via-alias' }) as { executionArn: string };
    const viaVersion = sfn.handle('StartExecution', { stateMachineArn: `${ARN}:1`, name: 'via-version' }) as { executionArn: string };
    const unqualified = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'unqualified' }) as { executionArn: string };

    // Executions belong to the state machine whatever ARN started them.
    expect(viaAlias.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:Test:via-alias');
    expect(await waitFor(sfn, viaAlias.executionArn)).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: ARN, stateMachineVersionArn: `${ARN}:1`, stateMachineAliasArn: ALIAS });
    const version = await waitFor(sfn, viaVersion.executionArn);
    expect(version).toMatchObject({ stateMachineVersionArn: `${ARN}:1` });
    expect(version).not.toHaveProperty('stateMachineAliasArn');
    const plain = await waitFor(sfn, unqualified.executionArn);
    expect(plain).not.toHaveProperty('stateMachineVersionArn');
    expect(plain).not.toHaveProperty('stateMachineAliasArn');
    // Names stay unique per state machine, not per alias.
    expect(() => sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'via-alias' })).toThrow(/Execution Already Exists/);

    for (const unknown of [`${ARN}:beta`, `${ARN}:7`, `${ARN}Other:live`]) {
      expect(() => sfn.handle('StartExecution', { stateMachineArn: unknown })).toThrow(/State Machine Does Not Exist/);
    }
    const names = (arn: string) => (sfn.handle('ListExecutions', { stateMachineArn: arn }) as { executions: { name: string }[] }).executions.map((e) => e.name).sort();
    expect(names(ALIAS)).toEqual(['via-alias']);
    expect(names(`${ARN}:1`)).toEqual(['via-alias', 'via-version']);
    expect(names(ARN)).toEqual(['unqualified', 'via-alias', 'via-version']);
    const { events } = sfn.handle('GetExecutionHistory', { executionArn: viaAlias.executionArn }) as { events: Record<string, Record<string, unknown>>[] };
    expect(events[0]?.executionStartedEventDetails).toMatchObject({ stateMachineVersionArn: `${ARN}:1`, stateMachineAliasArn: ALIAS });
  });

  it('serves the alias and version calls the AWS CLI makes', () => {
    const sfn = service(echo(), stamped('v1'));
    expect(sfn.handle('DescribeStateMachineAlias', { stateMachineAliasArn: ALIAS })).toMatchObject({
      stateMachineAliasArn: ALIAS,
      name: 'live',
      routingConfiguration: [{ stateMachineVersionArn: `${ARN}:1`, weight: 100 }],
    });
    const unknownAlias = () => sfn.handle('DescribeStateMachineAlias', { stateMachineAliasArn: `${ARN}:beta` });
    expect(unknownAlias).toThrow(SfnApiError);
    expect(unknownAlias).toThrow(/Resource not found/);
    expect(sfn.handle('ListStateMachineAliases', { stateMachineArn: ARN })).toMatchObject({ stateMachineAliases: [{ stateMachineAliasArn: ALIAS }] });
    expect(sfn.handle('ListStateMachineVersions', { stateMachineArn: ARN })).toMatchObject({ stateMachineVersions: [{ stateMachineVersionArn: `${ARN}:1` }] });
    const described = sfn.handle('DescribeStateMachine', { stateMachineArn: `${ARN}:1` }) as { stateMachineArn: string; definition: string };
    expect(described.stateMachineArn).toBe(`${ARN}:1`);
    expect(JSON.parse(described.definition)).toMatchObject({ States: { Stamp: { Result: 'v1' } } });
  });

  it('publishes a version per changed definition across restarts; new executions run it, a resumed one keeps the version it started on', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'sfn-versions-'));
    const stuck = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: () => new Promise(() => undefined) } });
    // A short task timeout, so the suspended engine's timer does not outlive the test.
    const before = service(stuck, stamped('v1', { TimeoutSeconds: 1 }), journalDir);
    const { executionArn: old } = before.handle('StartExecution', { stateMachineArn: ALIAS, name: 'started-on-v1', input: '{}' }) as { executionArn: string };
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stuck.calls).toHaveLength(1);
    before.service.suspendRunning(); // as if the runtime had died mid-Work
    await before.service.close();

    // Restart with a changed ASL: version 2 is published and the alias moves to it.
    const after = service(echo(), stamped('v2'), journalDir);
    expect(after.handle('ListStateMachineVersions', { stateMachineArn: ARN })).toMatchObject({
      stateMachineVersions: [{ stateMachineVersionArn: `${ARN}:2` }, { stateMachineVersionArn: `${ARN}:1` }],
    });
    expect(after.service.resumeFromJournal()).toBe(1);
    const { executionArn: fresh } = after.handle('StartExecution', { stateMachineArn: ALIAS, name: 'started-on-v2', input: '{}' }) as { executionArn: string };

    const resumed = await waitFor(after, old);
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', stateMachineVersionArn: `${ARN}:1`, redriveCount: 1 });
    expect(JSON.parse(String(resumed.output))).toMatchObject({ definition: 'v1' });
    const started = await waitFor(after, fresh);
    expect(started).toMatchObject({ status: 'SUCCEEDED', stateMachineVersionArn: `${ARN}:2`, stateMachineAliasArn: ALIAS });
    expect(JSON.parse(String(started.output))).toMatchObject({ definition: 'v2' });
    await after.service.close();

    // The same definition again publishes nothing.
    const again = service(echo(), stamped('v2'), journalDir);
    expect((again.handle('ListStateMachineVersions', { stateMachineArn: ARN }) as { stateMachineVersions: unknown[] }).stateMachineVersions).toHaveLength(2);
  });
});
