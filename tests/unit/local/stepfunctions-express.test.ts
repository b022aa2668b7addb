import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepFunctionsApi } from '../../../local/stepfunctions/api';
import { StepFunctionsService } from '../../../local/stepfunctions/stepfunctions-service';
import type { LocalStateMachine } from '../../../local/template/local-template';
import { FakeLambda, localFunction, ok } from './fake-lambda';

/*
 * WorkflowType=EXPRESS in the local runtime: AWS's Express answers (recorded against AWS in
 * LocalStack's parity snapshots, tests/aws/services/stepfunctions/v2/test_sfn_api_express), the
 * 5-minute cap, no name deduplication, and a restart that runs an execution again from the start.
 */
const WORKER = localFunction('WorkerFunction');
const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Test';
const EXPRESS_ARN = /^arn:aws:states:us-east-1:000000000000:express:Test:same:[0-9a-f-]{36}$/;

function machine(states: Record<string, unknown>, startAt = 'Work', extra: Record<string, unknown> = {}): LocalStateMachine {
  return { logicalId: 'Test', name: 'Test', arn: ARN, type: 'EXPRESS', definition: { StartAt: startAt, States: states, ...extra } };
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

function api(lambda: FakeLambda, definition: LocalStateMachine, journalDir = mkdtempSync(join(tmpdir(), 'sfn-express-')), expressMaxSeconds?: number) {
  return new StepFunctionsApi(new StepFunctionsService([definition], lambda, { journalDir, maxRunning: 4, log: () => undefined, ...(expressMaxSeconds ? { expressMaxSeconds } : {}) }));
}

/** Waits (deadline 5 s) for the execution to end, reading it as the console does. */
async function ended(sfn: StepFunctionsApi, executionArn: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const description = sfn.handle('DescribeExecution', { executionArn }, 'logs') as Record<string, unknown>;
    if (description.status !== 'RUNNING') return description;
    if (Date.now() > deadline) throw new Error('execution still running');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const thrown = (call: () => unknown): { name: string; message: string } => {
  try {
    call();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to throw');
};

describe('local Step Functions service: EXPRESS', () => {
  it('starts a second, concurrent execution for a second StartExecution with the same name and input', async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok(event) } });
    const sfn = api(lambda, machine({ Work: task() }));
    const first = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'same', input: '{"n":1}' }) as { executionArn: string };
    const second = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'same', input: '{"n":1}' }) as { executionArn: string };
    expect(first.executionArn).toMatch(EXPRESS_ARN);
    expect(second.executionArn).toMatch(EXPRESS_ARN);
    expect(second.executionArn).not.toBe(first.executionArn);
    await ended(sfn, first.executionArn);
    await ended(sfn, second.executionArn);
    expect(lambda.calls).toHaveLength(2);
    await sfn.service.close();
  });

  it("refuses DescribeExecution, GetExecutionHistory, StopExecution and ListExecutions with AWS's errors", async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok(event) } });
    const sfn = api(lambda, machine({ Work: task() }));
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'same', input: '{}' }) as { executionArn: string };
    await ended(sfn, executionArn);
    const invalidArn = { name: 'InvalidArn', message: "Invalid Arn: 'Resource type not valid in this context: express'" };
    for (const operation of ['DescribeExecution', 'GetExecutionHistory', 'StopExecution']) expect(thrown(() => sfn.handle(operation, { executionArn }))).toEqual(invalidArn);
    expect(thrown(() => sfn.handle('ListExecutions', { stateMachineArn: ARN }))).toEqual({ name: 'StateMachineTypeNotSupported', message: 'This operation is not supported by this type of state machine' });
    // The operator console's view (the logged events) still reads it.
    const { events } = sfn.handle('GetExecutionHistory', { executionArn }, 'logs') as { events: { type: string }[] };
    expect(events.map((event) => event.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect((sfn.handle('ListExecutions', { stateMachineArn: ARN }, 'logs') as { executions: unknown[] }).executions).toHaveLength(1);
    await sfn.service.close();
  });

  it('times an execution out with States.Timeout at the Express maximum, though the ASL allows longer', async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: () => new Promise((resolve) => setTimeout(() => { resolve(ok(1)); }, 2000)) } });
    // TimeoutSeconds 1800 as in statemachine/; the cap is shortened to 1 s for the test (AWS: 300 s).
    const sfn = api(lambda, machine({ Work: task() }, 'Work', { TimeoutSeconds: 1800 }), undefined, 1);
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, input: '{}' }) as { executionArn: string };
    expect(await ended(sfn, executionArn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    // What DescribeStateMachine shows is the template's definition, unchanged.
    expect(JSON.parse((sfn.handle('DescribeStateMachine', { stateMachineArn: ARN }) as { definition: string }).definition)).toMatchObject({ TimeoutSeconds: 1800 });
    await sfn.service.close();
  });

  it('runs an execution that was running at a crash again from the start (at-least-once), not from its journalled state', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'sfn-express-journal-'));
    // Work hangs until the test ends (no task timeout, which a loaded machine could hit before the crash below).
    const waiting: ((value: ReturnType<typeof ok>) => void)[] = [];
    const hung = new Promise<ReturnType<typeof ok>>((resolve) => waiting.push(resolve));
    const release = () => { waiting.forEach((resolve) => { resolve(ok('late')); }); };
    const stuck = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: () => hung } });
    const definition = machine({ First: task({ ResultPath: '$.first', Next: 'Work' }), Work: task() }, 'First');
    let firstDone = false;
    const half = new FakeLambda({
      WorkerFunction: { fn: WORKER, behaviour: (event) => (firstDone ? stuck.invoke('WorkerFunction', event) : ((firstDone = true), Promise.resolve(ok('first')))) },
    });
    const before = api(half, definition, journalDir);
    const { executionArn } = before.handle('StartExecution', { stateMachineArn: ARN, name: 'rerun', input: '{"n":2}' }) as { executionArn: string };
    const deadline = Date.now() + 5000;
    while (half.calls.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(half.calls).toHaveLength(2); // First done, Work in flight
    // The runtime answers StartExecution only once the journal has the execution (journalled()); the
    // test calls the service directly, so it waits for that itself before the crash (CI read an empty journal).
    await before.service.journalled();
    before.service.suspendRunning(); // the runtime dies: the journal still says RUNNING

    const healthy = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: (event) => ok(event) } });
    const after = api(healthy, definition, journalDir);
    expect(after.service.resumeFromJournal()).toBe(1);
    expect(await ended(after, executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0 });
    // Both Tasks ran again, First with the execution's original input.
    expect(healthy.calls.map((call) => call.event)).toEqual([{ n: 2 }, { n: 2, first: { value: { n: 2 } } }]);
    const { events } = after.handle('GetExecutionHistory', { executionArn }, 'logs') as { events: { type: string }[] };
    expect(events.filter((event) => event.type === 'ExecutionStarted')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'ExecutionRedriven')).toHaveLength(0);
    await after.service.close();
    release();
  });
});
