import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SfnApiError, StepFunctionsService } from '../../../local/stepfunctions/stepfunctions-service';
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

function service(lambda: FakeLambda, definition: LocalStateMachine, journalDir = mkdtempSync(join(tmpdir(), 'sfn-'))) {
  return new StepFunctionsService([definition], lambda, { journalDir, maxRunning: 4, log: () => undefined });
}

async function waitFor(sfn: StepFunctionsService, executionArn: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const description = sfn.handle('DescribeExecution', { executionArn }) as Record<string, unknown>;
    if (description.status !== 'RUNNING') return description;
    if (Date.now() > deadline) throw new Error('execution still running');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('local Step Functions service', () => {
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
    before.suspendRunning(); // as if the runtime had died: the journal still says RUNNING

    const healthy = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok(event) } });
    const after = service(healthy, definition, journalDir);
    expect(after.resumeFromJournal()).toBe(1);
    const description = await waitFor(after, executionArn);
    expect(description).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    // Resumed at Work with Work's input: the Pass state did not run again.
    expect(healthy.calls).toEqual([{ name: 'WorkerFunction', event: { n: 2, first: 'passed' } }]);
    const { events } = after.handle('GetExecutionHistory', { executionArn }) as { events: { type: string }[] };
    expect(events.filter((event) => event.type === 'ExecutionRedriven')).toHaveLength(1);
  });
});
