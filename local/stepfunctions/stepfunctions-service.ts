import { ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalStateMachine } from '../template/local-template';
import { text } from '../text';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../lambda/payload-limits';
import { checkExecutionInput } from './execution-input';
import { type HistoryEvent, HistoryRecorder, stateEventType } from './history';
import { ExecutionJournal, type ExecutionRecord, type ExecutionStatus } from './journal';
import { type PublishedVersion, VersionStore, versionArn } from './versions';

type Execution = ReturnType<StateMachine['run']>;
type EngineEvent = Execution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type JsonValue = Parameters<StateMachine['run']>[0];

export type { ExecutionRecord, ExecutionStatus };

/** The version and alias an execution was started through, present only when it was (as AWS omits them). */
export function qualifiers(record: ExecutionRecord): Record<string, string> {
  return {
    ...(record.stateMachineVersionArn ? { stateMachineVersionArn: record.stateMachineVersionArn } : {}),
    ...(record.stateMachineAliasArn ? { stateMachineAliasArn: record.stateMachineAliasArn } : {}),
  };
}

/** Lambda's failure as Step Functions sees it: Error = errorType, Cause = the JSON payload. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

interface StateDefinition {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  States?: unknown;
  Iterator?: unknown;
  ItemProcessor?: unknown;
  Branches?: unknown;
}

export interface StepFunctionsServiceOptions {
  /** The execution journal, and the published state machine versions its executions refer to. */
  journalDir: string;
  /** Most executions running their states at once; the rest wait, so new work cannot starve running orders. */
  maxRunning: number;
  log: (line: string) => void;
  /** How long a finished execution's history stays in memory before only the journal holds it (default 10 s). */
  historyInMemoryMs?: number;
  /** An Express execution's longest run (AWS: 5 minutes); tests shorten it. */
  expressMaxSeconds?: number;
}

/** AWS's cap on an Express execution's duration: past it the execution times out (States.Timeout). */
export const EXPRESS_MAX_SECONDS = 300;

/** Express execution ARNs (`…:express:<machine>:<name>:<id>`), which the execution APIs refuse on AWS. */
export const isExpressExecutionArn = (arn: string): boolean => /^arn:aws[a-z-]*:states:[^:]*:\d*:express:/.test(arn);

/** An execution the runtime is running (or waiting to run). */
interface Running {
  execution?: Execution;
  done: Promise<void>;
  /**
   * Set once the execution is stopped or suspended: its Task handlers refuse to invoke from then on.
   * aws-local-stepfunctions' retry sleep wakes on abort and retries at once (see patches/dev/), and the
   * engine's event log is closed by then, so such an invocation would also be missing from the history.
   */
  halted: boolean;
  /** Moves the task events still queued (an invocation in flight) into the history. */
  flushTaskEvents: () => void;
}

/** The error an execution fails with when the runtime, not its definition, could not run it. */
const RUNTIME_ERROR = 'States.Runtime';
/** How long a finished execution's history stays in memory before only the journal holds it. */
const HISTORY_IN_MEMORY_MS = 10_000;

/** Whether an execution has its outcome (a function, so that TypeScript does not narrow a status later calls change). */
const ended = (record: ExecutionRecord): boolean => record.status !== 'RUNNING';

/** A state machine of the template, with the engine that runs its current definition. */
export interface Machine {
  local: LocalStateMachine;
  engine: StateMachine;
  created: number;
  /** The published version that has the current definition (with AutoPublishAlias only). */
  currentVersion?: number;
}

/**
 * The engine behind the local Step Functions API (api.ts): the template's state machines, executed
 * by aws-local-stepfunctions with every Task resolved to the local Lambda service. Executions are
 * journalled to disk and resumed, redrive-style, after a restart. A state machine with
 * AutoPublishAlias gets a new version whenever its definition changes, behind the alias.
 */
export class StepFunctionsService {
  private readonly machines = new Map<string, Machine>();
  /** Engines of versions older than the current definition, built when an execution resumes on one. */
  private readonly versionEngines = new Map<string, StateMachine>();
  /** The published versions of every state machine with AutoPublishAlias. */
  readonly versions: VersionStore;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, Running>();

  /** How many executions run now, Express ones included (the chaos suite's settle check under Express, where ListExecutions is refused). */
  get runningCount(): number {
    return this.running.size;
  }
  private readonly slots: (() => void)[] = [];
  private active = 0;
  private accepts = true;
  private readonly journal: ExecutionJournal;
  /** Finished executions whose history lives only in the journal. */
  private readonly released = new Set<string>();
  private readonly releaser: NodeJS.Timeout;
  /** Called on every change to an execution (see onChange). */
  private readonly changeListeners = new Set<() => void>();

  constructor(
    stateMachines: LocalStateMachine[],
    private readonly lambda: LambdaInvoker,
    private readonly options: StepFunctionsServiceOptions,
  ) {
    // Next to the journal: its records name these versions, so the two are kept (and cleared) together.
    this.versions = new VersionStore(options.journalDir);
    for (const local of stateMachines) {
      this.checkTasks(local.logicalId, local.definition.States as Record<string, StateDefinition>);
      const machine: Machine = { local, engine: new StateMachine(this.engineDefinition(local, local.definition)), created: Date.now() };
      if (local.alias) {
        const { version, published } = this.versions.publish(local.arn, local.definition);
        machine.currentVersion = version.version;
        if (published) options.log(`${local.name}: published version ${String(version.version)}; alias ${local.alias} points to it`);
      }
      this.machines.set(local.arn, machine);
    }
    this.journal = new ExecutionJournal(
      options.journalDir,
      (error) => {
        options.log(`execution journal: ${error.message}`);
      },
      options.log,
    );
    for (const record of this.journal.load()) this.executions.set(record.executionArn, record);
    // The compacted journal is on disk: finished histories are read back from it when asked for.
    for (const record of this.executions.values()) if (record.status !== 'RUNNING') this.release(record);
    const keepMs = options.historyInMemoryMs ?? HISTORY_IN_MEMORY_MS;
    this.releaser = setInterval(() => {
      const finishedBefore = Date.now() - keepMs;
      void this.journal.flushed().then(() => {
        for (const record of this.executions.values()) {
          if (record.status === 'RUNNING' || this.running.has(record.executionArn) || (record.stopDate ?? Infinity) >= finishedBefore || this.released.has(record.executionArn)) continue;
          // History the journal does not hold yet would be lost on release: write it now and release
          // on a later round, once that line is on disk. (Nothing is added after an execution ends
          // today, since record() ignores a stopped execution's late events; this keeps it that way
          // should a path ever add one.)
          if (this.journal.behind(record)) this.persist(record);
          else this.release(record);
        }
      });
    }, keepMs);
    this.releaser.unref();
  }

  /**
   * Calls `listener` after each change to an execution: started, a history event, stopped. It runs
   * synchronously on the engine's path, so it must only note the change (the console coalesces
   * them); returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => { this.changeListeners.delete(listener); };
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /**
   * The definition the engine runs: the template's, except that an Express machine's top-level
   * TimeoutSeconds is capped at Express's maximum duration (AWS accepts a larger one and still
   * times the execution out at 5 minutes). What DescribeStateMachine and the versions show is unchanged.
   */
  private engineDefinition(local: LocalStateMachine, definition: Record<string, unknown>): StateMachineDefinition {
    if (local.type !== 'EXPRESS') return definition as unknown as StateMachineDefinition;
    const max = this.options.expressMaxSeconds ?? EXPRESS_MAX_SECONDS;
    const own = typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds : Infinity;
    return { ...definition, TimeoutSeconds: Math.min(own, max) } as unknown as StateMachineDefinition;
  }

  /** Drops a finished execution's history from memory; `history()` reads it back from the journal. */
  private release(record: ExecutionRecord): void {
    if (this.released.has(record.executionArn)) return;
    this.released.add(record.executionArn);
    record.events = [];
  }

  /** An execution's history: in memory while it runs (and shortly after), else from the journal. */
  history(record: ExecutionRecord): HistoryEvent[] {
    return this.released.has(record.executionArn) ? this.journal.readEvents(record.executionArn) : record.events;
  }

  /** Refuses, at start-up, any Task whose resource this runtime cannot run, naming the state. */
  private checkTasks(machine: string, states: Record<string, StateDefinition>): void {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') {
        const branches: unknown[] = Array.isArray(state.Branches) ? (state.Branches as unknown[]) : [];
        for (const nested of [state.Iterator, state.ItemProcessor, ...branches]) {
          const nestedStates = (nested as { States?: Record<string, StateDefinition> } | undefined)?.States;
          if (nestedStates) this.checkTasks(machine, nestedStates);
        }
        continue;
      }
      const resource = state.Resource ?? '';
      const target = LAMBDA_INVOKE.test(resource) ? text(state.Parameters?.FunctionName) : LAMBDA_ARN.test(resource) ? resource : undefined;
      if (target === undefined) {
        throw new Error(`${machine}: state "${name}" uses resource ${resource}, which the local runtime cannot run (supported: lambda:invoke and Lambda ARNs)`);
      }
      if (!this.lambda.find(target)) throw new Error(`${machine}: state "${name}" invokes ${target}, which is not a function in the template`);
    }
  }

  private taskStateNames(definition: Record<string, unknown>): string[] {
    return Object.entries(definition.States as Record<string, StateDefinition>).filter(([, state]) => state.Type === 'Task').map(([name]) => name);
  }

  private persist(record: ExecutionRecord): void {
    void this.journal.append(record);
  }

  /** Resolves once every change so far is in the journal: StartExecution answers only after that. */
  journalled(): Promise<void> {
    return this.journal.flushed();
  }

  /**
   * Why a journalled execution cannot be resumed, or undefined when it can: a resume must never
   * take the runtime down, or every restart would resume it and die again.
   */
  private unresumable(record: ExecutionRecord): string | undefined {
    const machine = this.machines.get(record.stateMachineArn);
    if (!machine) return `its state machine ${record.stateMachineArn} is not in the template`;
    if (typeof record.input !== 'string') return 'its input is missing';
    try {
      checkExecutionInput(record.input);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    if (!Array.isArray(record.events)) return 'its history is not a list of events';
    if (record.resume) {
      const states = this.definitionOf(record, machine).definition.States as Record<string, unknown>;
      if (typeof record.resume.state !== 'string' || !(record.resume.state in states)) return `its resume state "${JSON.stringify(record.resume.state)}" is not in the definition`;
      if (nestsDeeperThan(record.resume.input)) return `its resume input nests deeper than ${String(MAX_PAYLOAD_DEPTH)} levels`;
    }
    return undefined;
  }

  /** Fails an execution the runtime could not run, naming the cause, and journals it. */
  private failInRuntime(record: ExecutionRecord, cause: string): void {
    if (record.status !== 'RUNNING') return;
    const now = Date.now();
    this.finish(record, 'FAILED', now, { error: RUNTIME_ERROR, cause });
    new HistoryRecorder(Array.isArray(record.events) ? record.events : (record.events = [])).add(
      'ExecutionFailed',
      { executionFailedEventDetails: { error: RUNTIME_ERROR, cause } },
      now,
    );
    this.persist(record);
    this.changed();
  }

  /** Resumes every journalled execution that was running when the runtime stopped. */
  resumeFromJournal(): number {
    let resumed = 0;
    for (const record of this.executions.values()) {
      if (record.status !== 'RUNNING' || this.running.has(record.executionArn)) continue;
      const reason = this.unresumable(record);
      if (reason !== undefined) {
        const where = this.journal.quarantine(record, reason);
        this.options.log(`execution ${record.name} cannot be resumed (${reason}): its journal entry is quarantined in ${where}; the execution is FAILED`);
        this.failInRuntime(record, `The local runtime could not resume this execution from its journal: ${reason}`);
        continue;
      }
      if (isExpressExecutionArn(record.executionArn)) {
        // Express persists no state between transitions: AWS runs such an execution again from the
        // start (at-least-once), so every Task it had done runs again. Its logged events start over.
        this.options.log(`execution ${record.name} (Express) runs again from the start: Express is at-least-once`);
        delete record.resume;
        record.events = [];
        this.launch(record);
        resumed += 1;
        continue;
      }
      record.redriveCount += 1;
      new HistoryRecorder(record.events).add('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: record.redriveCount } });
      this.launch(record, record.resume);
      resumed += 1;
    }
    return resumed;
  }

  private async acquireSlot(): Promise<void> {
    if (this.active < this.options.maxRunning) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.slots.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.active -= 1;
  }

  private launch(record: ExecutionRecord, resume?: { state: string; input: unknown }): void {
    const entry: Running = { done: Promise.resolve(), halted: false, flushTaskEvents: () => undefined };
    entry.done = this.acquireSlot()
      .then(() => this.execute(record, entry, resume))
      .catch((error: unknown) => {
        // Left RUNNING, it would be resumed (and crash again) on every start: it fails, naming the cause.
        this.options.log(`execution ${record.name} crashed in the runtime: ${String(error)}`);
        this.failInRuntime(record, `The local runtime failed while running this execution: ${String(error)}`);
      })
      .finally(() => {
        this.releaseSlot();
        this.running.delete(record.executionArn);
      });
    this.running.set(record.executionArn, entry);
  }

  /** The definition an execution runs: its version's, or (journals from before versions) the current one. */
  private definitionOf(record: ExecutionRecord, machine: Machine): { definition: Record<string, unknown>; engine: StateMachine } {
    const version =
      record.definitionVersion === undefined || record.definitionVersion === machine.currentVersion
        ? undefined
        : this.versions.find(machine.local.arn, record.definitionVersion);
    if (!version) return { definition: machine.local.definition, engine: machine.engine };
    const key = versionArn(version);
    let engine = this.versionEngines.get(key);
    if (!engine) {
      // Validated when it was published; its Tasks were checked against the functions of that day.
      engine = new StateMachine(this.engineDefinition(machine.local, version.definition), { validationOptions: { noValidate: true } });
      this.versionEngines.set(key, engine);
    }
    return { definition: version.definition, engine };
  }

  private async execute(record: ExecutionRecord, entry: Running, resume?: { state: string; input: unknown }): Promise<void> {
    const machine = this.machines.get(record.stateMachineArn);
    if (!machine) throw new Error(`State machine ${record.stateMachineArn} is gone`);
    const { definition, engine: startEngine } = this.definitionOf(record, machine);
    const engine = resume
      ? new StateMachine({ ...definition, StartAt: resume.state } as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } })
      : startEngine;
    const history = new HistoryRecorder(record.events);
    const definitionStates = definition.States as Record<string, StateDefinition>;
    const taskEvents = new Map<string, { type: string; details: Record<string, unknown>; timestamp: number }[]>();
    const pushTaskEvent = (state: string, type: string, details: Record<string, unknown>) => {
      const queue = taskEvents.get(state) ?? [];
      queue.push({ type, details, timestamp: Date.now() });
      taskEvents.set(state, queue);
    };
    const drainTaskEvents = (state: string) => {
      for (const event of taskEvents.get(state) ?? []) history.add(event.type, event.details, event.timestamp);
      taskEvents.delete(state);
    };
    entry.flushTaskEvents = () => {
      for (const state of [...taskEvents.keys()]) drainTaskEvents(state);
    };

    const handlers = Object.fromEntries(
      this.taskStateNames(definition).map((state) => [
        state,
        async (input: JsonValue): Promise<JsonValue> => {
          if (entry.halted || record.status !== 'RUNNING') throw new ExecutionHaltedError(record);
          const definition = definitionStates[state];
          const optimized = LAMBDA_INVOKE.test(definition?.Resource ?? '');
          const parameters = (optimized ? input : null) as { FunctionName?: string; Payload?: unknown } | null;
          const functionName = optimized ? String(parameters?.FunctionName) : String(definition?.Resource);
          const payload = optimized ? (parameters?.Payload ?? null) : input;
          const resourceDetails = optimized ? { resourceType: 'lambda', resource: 'invoke' } : { resourceType: 'lambda', resource: functionName };
          pushTaskEvent(state, optimized ? 'TaskScheduled' : 'LambdaFunctionScheduled', {
            [optimized ? 'taskScheduledEventDetails' : 'lambdaFunctionScheduledEventDetails']: {
              ...resourceDetails,
              region: 'us-east-1',
              parameters: JSON.stringify(input),
              ...(definition?.TimeoutSeconds ? { timeoutInSeconds: definition.TimeoutSeconds } : {}),
            },
          });
          pushTaskEvent(state, optimized ? 'TaskStarted' : 'LambdaFunctionStarted', optimized ? { taskStartedEventDetails: resourceDetails } : {});
          const result = await this.lambda.invoke(functionName, payload);
          if (!result.ok) {
            const cause = JSON.stringify(result.error);
            pushTaskEvent(state, optimized ? 'TaskFailed' : 'LambdaFunctionFailed', {
              [optimized ? 'taskFailedEventDetails' : 'lambdaFunctionFailedEventDetails']: { ...(optimized ? resourceDetails : {}), error: result.error.errorType, cause },
            });
            throw new LambdaFunctionError(result.error.errorType, cause);
          }
          const output: JsonValue = optimized
            ? { ExecutedVersion: '$LATEST', Payload: result.payload as JsonValue, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: result.requestId } }
            : (result.payload as JsonValue);
          pushTaskEvent(state, optimized ? 'TaskSucceeded' : 'LambdaFunctionSucceeded', {
            [optimized ? 'taskSucceededEventDetails' : 'lambdaFunctionSucceededEventDetails']: { ...(optimized ? resourceDetails : {}), output: JSON.stringify(output) },
          });
          return output;
        },
      ]),
    );

    const input = resume ? (resume.input as JsonValue) : (JSON.parse(record.input) as JsonValue);
    const execution = engine.run(input, {
      overrides: { taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          Input: JSON.parse(record.input) as JsonValue,
          StartTime: new Date(record.startDate).toISOString(),
          RoleArn: 'arn:aws:iam::000000000000:role/local-state-machine',
          RedriveCount: record.redriveCount,
        },
        StateMachine: { Id: record.stateMachineArn, Name: machine.local.name },
      },
    });
    entry.execution = execution;
    // The engine closes its event log when it ends an execution, but not when it throws outside a
    // state (a stack overflow, say): then the result rejects with that error while the log stays
    // open. Watching the result at once also keeps that rejection from going unhandled.
    const crashed = execution.result.then(
      () => undefined,
      (error: unknown) => (error instanceof ExecutionError || error instanceof ExecutionTimeoutError ? undefined : error),
    );
    const consumed = (async () => {
      for await (const event of execution.eventLogs) {
        this.record(record, history, event, definitionStates, { drain: drainTaskEvents, drainAll: entry.flushTaskEvents });
      }
    })();
    const crash = await Promise.race([consumed.then(() => undefined), crashed.then((error) => (error === undefined ? consumed.then(() => undefined) : error))]);
    if (crash !== undefined) throw crash instanceof Error ? crash : new Error(JSON.stringify(crash));
  }

  private record(
    record: ExecutionRecord,
    history: HistoryRecorder,
    event: EngineEvent,
    states: Record<string, StateDefinition>,
    tasks: { drain: (state: string) => void; drainAll: () => void },
  ): void {
    // Stopped: StopExecution closed the history with ExecutionAborted; what the engine still reports comes after it.
    if (ended(record)) return;
    const drainTaskEvents = tasks.drain;
    const stateType = (name: string) => states[name]?.Type ?? 'Task';
    switch (event.type) {
      case 'ExecutionStarted':
        if (record.events.length === 0) {
          history.add('ExecutionStarted', {
            executionStartedEventDetails: {
              input: record.input,
              inputDetails: { truncated: false },
              roleArn: 'arn:aws:iam::000000000000:role/local-state-machine',
              ...qualifiers(record),
            },
          }, event.timestamp);
        }
        break;
      case 'StateEntered':
        record.resume = { state: event.state.name, input: event.state.input };
        history.add(stateEventType(stateType(event.state.name), 'Entered'), {
          stateEnteredEventDetails: { name: event.state.name, input: JSON.stringify(event.state.input), inputDetails: { truncated: false } },
        }, event.timestamp);
        break;
      case 'StateExited':
        drainTaskEvents(event.state.name);
        history.add(stateEventType(stateType(event.state.name), 'Exited'), {
          stateExitedEventDetails: { name: event.state.name, output: JSON.stringify(event.state.output ?? null), outputDetails: { truncated: false } },
        }, event.timestamp);
        break;
      case 'StateRetried':
      case 'StateCaught':
      case 'StateFailed':
        drainTaskEvents(event.state.name);
        break;
      case 'ExecutionSucceeded':
        this.finish(record, 'SUCCEEDED', event.timestamp, { output: JSON.stringify(event.output) });
        history.add('ExecutionSucceeded', { executionSucceededEventDetails: { output: record.output, outputDetails: { truncated: false } } }, event.timestamp);
        break;
      case 'ExecutionFailed': {
        const cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause ?? '');
        this.finish(record, 'FAILED', event.timestamp, { error: event.Error, cause });
        history.add('ExecutionFailed', { executionFailedEventDetails: { error: event.Error, cause } }, event.timestamp);
        break;
      }
      case 'ExecutionTimeout':
        tasks.drainAll();
        this.finish(record, 'TIMED_OUT', event.timestamp, { error: 'States.Timeout' });
        history.add('ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout' } }, event.timestamp);
        break;
      case 'ExecutionAborted':
        // StopExecution already recorded the abort; an abort from drain() leaves the execution RUNNING to resume.
        break;
      default:
        break;
    }
    // The journal only needs each resume point (a state entered, with all history before it) and the
    // outcome; writing on every task event tripled the synchronous disk writes on the hot path.
    if (event.type === 'StateEntered' || record.status !== 'RUNNING') this.persist(record);
    this.changed();
  }

  private finish(record: ExecutionRecord, status: ExecutionStatus, at: number, fields: Partial<ExecutionRecord>): void {
    Object.assign(record, fields, { status, stopDate: at });
    delete record.resume;
    this.options.log(`execution ${record.name} ${status}${record.error ? ` (${record.error})` : ''}`);
  }

  /**
   * Serves a state machine's new definition to the executions started from now on (the dev loop:
   * docs/dev-loop.md); with AutoPublishAlias it becomes the next version, behind the alias. Running
   * executions keep the definition they started on. An invalid definition, or one whose Tasks name
   * no function, throws and changes nothing. Returns the version it published, if any.
   */
  updateStateMachine(local: LocalStateMachine): number | undefined {
    const machine = this.machines.get(local.arn);
    if (!machine) throw new Error(`No state machine ${local.arn}`);
    this.checkTasks(local.logicalId, local.definition.States as Record<string, StateDefinition>);
    const engine = new StateMachine(local.definition as unknown as StateMachineDefinition);
    let published: number | undefined;
    if (local.alias) {
      const result = this.versions.publish(local.arn, local.definition);
      if (result.published) published = result.version.version;
      machine.currentVersion = result.version.version;
    }
    Object.assign(machine, { local, engine });
    return published;
  }

  /** A state machine by its unqualified ARN. */
  machine(arn: string): Machine | undefined {
    return this.machines.get(arn);
  }

  /** Every state machine of the template, in template order. */
  listMachines(): Machine[] {
    return [...this.machines.values()];
  }

  /** An execution by ARN. */
  execution(arn: string): ExecutionRecord | undefined {
    return this.executions.get(arn);
  }

  /** Every execution the journal knows, in start order. */
  listExecutions(): ExecutionRecord[] {
    return [...this.executions.values()];
  }

  /** False once drain() began: new executions would not be run. */
  get accepting(): boolean {
    return this.accepts;
  }

  /** Records, journals and launches a new execution (the caller checked its name is free). */
  start(request: { executionArn: string; machine: Machine; name: string; input: string; version?: PublishedVersion; aliasArn?: string }): ExecutionRecord {
    const { executionArn, machine, version, aliasArn } = request;
    // An unqualified start runs the newest definition, but AWS associates it with no version.
    const runs = version ?? this.versions.latest(machine.local.arn);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.local.arn,
      ...(version ? { stateMachineVersionArn: versionArn(version) } : {}),
      ...(aliasArn ? { stateMachineAliasArn: aliasArn } : {}),
      ...(runs ? { definitionVersion: runs.version } : {}),
      name: request.name,
      input: request.input,
      status: 'RUNNING',
      startDate: Date.now(),
      events: [],
      redriveCount: 0,
    };
    this.executions.set(executionArn, record);
    this.persist(record);
    this.launch(record);
    this.changed();
    return record;
  }

  /**
   * RedriveExecution: reruns a FAILED, TIMED_OUT or ABORTED execution from its unsuccessful state (the
   * last state it entered, with that state's input), keeping its ARN, input and history, as AWS
   * does for Standard workflows. An execution that ended in a Fail state reruns that Fail state.
   * Returns the redrive date (epoch ms).
   */
  redrive(record: ExecutionRecord): number {
    const events = this.history(record);
    const entered = events.findLast((event) => event.type.endsWith('StateEntered'));
    const details = entered?.stateEnteredEventDetails as { name?: unknown; input?: unknown } | undefined;
    if (typeof details?.name !== 'string') throw new Error(`Execution ${record.name} entered no state, so it has no point of failure to redrive from`);
    const input: unknown = typeof details.input === 'string' ? JSON.parse(details.input) : null;
    // The history goes back in memory: the redriven attempt appends to it.
    if (this.released.delete(record.executionArn)) record.events = events;
    delete record.stopDate;
    delete record.error;
    delete record.cause;
    delete record.output;
    record.status = 'RUNNING';
    record.redriveCount += 1;
    record.resume = { state: details.name, input };
    const now = Date.now();
    new HistoryRecorder(record.events).add('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: record.redriveCount } }, now);
    this.persist(record);
    this.launch(record, record.resume);
    this.changed();
    return now;
  }

  /** Aborts a running execution with the caller's error and cause; returns the stop date (epoch ms). */
  stop(record: ExecutionRecord, error: string | undefined, cause: string | undefined): number {
    const entry = this.running.get(record.executionArn);
    if (entry) {
      entry.halted = true;
      // An invocation in flight happened: it stays in the history, before the abort.
      entry.flushTaskEvents();
    }
    record.error = error;
    record.cause = cause;
    const now = Date.now();
    this.finish(record, 'ABORTED', now, {});
    new HistoryRecorder(record.events).add('ExecutionAborted', { executionAbortedEventDetails: { error: record.error, cause: record.cause } }, now);
    this.persist(record);
    entry?.execution?.abort();
    this.changed();
    return now;
  }

  /** Stops accepting executions and waits (up to the deadline) for running ones; the journal keeps the rest. */
  async drain(deadlineMs: number): Promise<number> {
    this.accepts = false;
    const pending = [...this.running.values()].map((entry) => entry.done);
    await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, deadlineMs))]);
    return this.running.size;
  }

  /** Stops running engines without closing their executions: the journal keeps them RUNNING, to resume on the next start. */
  suspendRunning(): void {
    for (const entry of this.running.values()) {
      entry.halted = true;
      entry.execution?.abort();
    }
  }

  /** Writes the journal's pending lines and closes it. */
  close(): Promise<void> {
    clearInterval(this.releaser);
    return this.journal.close();
  }

  /** Counts by status, for the banner and tests. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const record of this.executions.values()) counts[record.status] = (counts[record.status] ?? 0) + 1;
    return counts;
  }
}

/** Thrown by a Task handler of a stopped or suspended execution instead of invoking its function. */
class ExecutionHaltedError extends Error {
  constructor(record: ExecutionRecord) {
    super(`execution ${record.name} was stopped; the task is not invoked`);
    this.name = 'States.Runtime';
  }
}
