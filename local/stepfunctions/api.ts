import { randomUUID } from 'node:crypto';
import { toWire } from './history';
import type { ExecutionRecord, ExecutionStatus } from './journal';
import { type Machine, type StepFunctionsService, isExpressExecutionArn, qualifiers } from './stepfunctions-service';
import { type PublishedVersion, versionArn } from './versions';
import { SfnApiError, checkExecutionInput } from './execution-input';

export { SfnApiError, checkExecutionInput };

/** The fields DescribeExecution and ListExecutions share, with epoch-second dates. */
function summary(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate / 1000,
    ...(record.stopDate ? { stopDate: record.stopDate / 1000 } : {}),
    ...qualifiers(record),
  };
}

// Execution names: 1-80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters.
const EXECUTION_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isValidExecutionName = (name: string) =>
  name.length >= 1 && name.length <= 80 && !EXECUTION_NAME_FORBIDDEN.test(name) && !hasControlCharacter(name);
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    // U+2028/U+2029 (line and paragraph separators) end a line in JavaScript and JSON-in-HTML as a newline does.
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) return true;
  }
  return false;
}
const TERMINAL: readonly ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const STATUSES: readonly string[] = ['RUNNING', ...TERMINAL, 'PENDING_REDRIVE'];

/**
 * A request member of the type AWS's model gives it, or undefined when absent. AWS JSON 1.0
 * refuses a member of the wrong type while reading the request, before any operation runs.
 */
function member(request: Record<string, unknown>, key: string, type: 'string' | 'number' | 'boolean'): unknown {
  const value = request[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw new SfnApiError('SerializationException', `${key} must be a ${type}, got ${Array.isArray(value) ? 'array' : typeof value}`);
  return value;
}
const stringMember = (request: Record<string, unknown>, key: string) => member(request, key, 'string') as string | undefined;

/** What a StartExecution (or ListExecutions) ARN names: the state machine, and a version or alias of it. */
interface Target {
  machine: Machine;
  version?: PublishedVersion;
  aliasArn?: string;
}

/**
 * The Step Functions API (AWS JSON 1.0 operations, AWS's shapes and errors) over the local engine:
 * the HTTP endpoint and the operator console both call it.
 */
export class StepFunctionsApi {
  /** The current call's view (handle() is synchronous, so one field serves each call). */
  private view: 'api' | 'logs' = 'api';

  /**
   * Fault injection (`{"expressDuplicates": true}` on POST /_local/faults): every Express start also
   * starts a second execution with the same input, as Express's at-least-once delivery may, so the
   * chaos suite can prove the tasks idempotent under it. Counts the duplicates started.
   */
  duplicateExpressStarts = false;
  expressDuplicatesStarted = 0;

  constructor(readonly service: StepFunctionsService) {}

  /**
   * Dispatches one AWS JSON 1.0 call (`X-Amz-Target: AWSStepFunctions.<Operation>`). `view: 'logs'`
   * (the operator console only) also reads Express executions, which AWS's API refuses: on AWS their
   * record is the state machine's CloudWatch log, here the runtime's own record of the logged events.
   */
  handle(operation: string, request: Record<string, unknown>, view: 'api' | 'logs' = 'api'): unknown {
    this.view = view;
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(request);
      case 'DescribeExecution': {
        const record = this.execution(request.executionArn);
        return {
          ...summary(record),
          input: record.input,
          inputDetails: { included: true },
          ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
          ...(record.error !== undefined ? { error: record.error } : {}),
          ...(record.cause !== undefined ? { cause: record.cause } : {}),
          redriveCount: record.redriveCount,
        };
      }
      case 'GetExecutionHistory': {
        const record = this.execution(request.executionArn);
        const history = this.service.history(record);
        const events = request.reverseOrder === true ? [...history].reverse() : history;
        return page(events.map(toWire), request, 'events');
      }
      case 'ListExecutions': {
        // An alias or version ARN lists the executions started through it, as on AWS.
        const { machine, version, aliasArn } = this.target(request.stateMachineArn);
        // AWS's answer for an Express state machine (recorded against AWS by LocalStack's parity tests).
        if (machine.local.type === 'EXPRESS' && this.view === 'api') throw new SfnApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
        const through = (record: ExecutionRecord) =>
          aliasArn ? record.stateMachineAliasArn === aliasArn : version ? record.stateMachineVersionArn === versionArn(version) : true;
        const filter = stringMember(request, 'statusFilter');
        if (filter !== undefined && !STATUSES.includes(filter)) {
          throw new SfnApiError('ValidationException', `1 validation error detected: Value '${filter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
        }
        const executions = this.service
          .listExecutions()
          .filter((record) => record.stateMachineArn === machine.local.arn && through(record) && (!filter || record.status === filter))
          .sort((a, b) => b.startDate - a.startDate)
          .map(summary);
        return page(executions, request, 'executions');
      }
      case 'StopExecution': {
        const record = this.execution(request.executionArn);
        if (TERMINAL.includes(record.status)) throw new SfnApiError('ExecutionNotRunning', `Execution is ${record.status}`);
        const stopped = this.service.stop(record, stringMember(request, 'error'), stringMember(request, 'cause'));
        return { stopDate: stopped / 1000 };
      }
      case 'RedriveExecution': {
        const record = this.execution(request.executionArn);
        // AWS refuses a running or succeeded execution, and one whose machine is not Standard.
        if (record.status === 'RUNNING' || record.status === 'SUCCEEDED') {
          throw new SfnApiError('ExecutionNotRedrivable', `Execution ${record.executionArn} is ${record.status} and cannot be redriven`);
        }
        return { redriveDate: this.service.redrive(record) / 1000 };
      }
      case 'DescribeStateMachine': {
        // A version ARN describes that version (AWS answers with the version ARN); aliases have their own call.
        const { machine, version, aliasArn } = this.target(request.stateMachineArn);
        if (aliasArn) throw new SfnApiError('ValidationException', 'DescribeStateMachine takes a state machine or version ARN; use DescribeStateMachineAlias');
        return {
          stateMachineArn: version ? versionArn(version) : machine.local.arn,
          name: machine.local.name,
          status: 'ACTIVE',
          definition: JSON.stringify(version?.definition ?? machine.local.definition, null, 2),
          roleArn: 'arn:aws:iam::000000000000:role/local-state-machine',
          type: machine.local.type,
          creationDate: (version?.creationDate ?? machine.created) / 1000,
        };
      }
      case 'ListStateMachineVersions': {
        const machine = this.machine(request.stateMachineArn);
        const versions = [...this.service.versions.list(machine.local.arn)]
          .reverse()
          .map((version) => ({ stateMachineVersionArn: versionArn(version), creationDate: version.creationDate / 1000 }));
        return page(versions, request, 'stateMachineVersions');
      }
      case 'ListStateMachineAliases': {
        const machine = this.machine(request.stateMachineArn);
        const aliasArn = this.aliasArn(machine);
        const first = this.service.versions.list(machine.local.arn)[0];
        const aliases = aliasArn && first ? [{ stateMachineAliasArn: aliasArn, creationDate: first.creationDate / 1000 }] : [];
        return page(aliases, request, 'stateMachineAliases');
      }
      case 'DescribeStateMachineAlias': {
        const arn = request.stateMachineAliasArn;
        const target = typeof arn === 'string' && arn.length > 0 ? this.aliasTarget(arn) : undefined;
        if (!target) throw new SfnApiError('ResourceNotFound', `Resource not found: '${String(arn)}'`);
        const versions = this.service.versions.list(target.machine.local.arn);
        return {
          stateMachineAliasArn: arn,
          name: target.machine.local.alias,
          // The runtime has no traffic shifting: the alias always sends every execution to the newest version.
          routingConfiguration: [{ stateMachineVersionArn: versionArn(target.version), weight: 100 }],
          creationDate: (versions[0] ?? target.version).creationDate / 1000,
          updateDate: target.version.creationDate / 1000,
        };
      }
      case 'ListStateMachines':
        return {
          stateMachines: this.service.listMachines().map((machine) => ({
            stateMachineArn: machine.local.arn,
            name: machine.local.name,
            type: machine.local.type,
            creationDate: machine.created / 1000,
          })),
        };
      default:
        throw new SfnApiError('UnknownOperationException', `Operation ${operation} is not supported by the local runtime`);
    }
  }

  /** StartExecution with AWS's name semantics. */
  private startExecution(request: Record<string, unknown>): { executionArn: string; startDate: number } {
    if (!this.service.accepting) throw new SfnApiError('ServiceUnavailable', 'The runtime is shutting down', 503);
    const { machine, version, aliasArn } = this.target(request.stateMachineArn);
    const name = stringMember(request, 'name') ?? randomUUID();
    if (!isValidExecutionName(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = stringMember(request, 'input') ?? '{}';
    checkExecutionInput(input);
    if (machine.local.type === 'EXPRESS') {
      // Express does not deduplicate names: a second start with the same name is a second, concurrent
      // execution, so its ARN carries an id of its own (as AWS's `…:express:<machine>:<name>:<id>`).
      const expressArn = `${machine.local.arn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`;
      const record = this.service.start({ executionArn: expressArn, machine, name, input, version, aliasArn });
      if (this.duplicateExpressStarts) {
        this.expressDuplicatesStarted += 1;
        const duplicateArn = `${machine.local.arn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`;
        this.service.start({ executionArn: duplicateArn, machine, name, input, version, aliasArn });
      }
      return { executionArn: expressArn, startDate: record.startDate / 1000 };
    }
    const executionArn = `${machine.local.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.service.execution(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: existing.startDate / 1000 };
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record = this.service.start({ executionArn, machine, name, input, version, aliasArn });
    return { executionArn, startDate: record.startDate / 1000 };
  }

  private execution(arn: unknown): ExecutionRecord {
    // AWS refuses an Express execution ARN in every execution API (Describe, GetExecutionHistory, Stop, Redrive).
    if (typeof arn === 'string' && isExpressExecutionArn(arn) && this.view === 'api') throw new SfnApiError('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");
    const record = typeof arn === 'string' ? this.service.execution(arn) : undefined;
    if (!record) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return record;
  }

  private machine(arn: unknown): Machine {
    const machine = typeof arn === 'string' ? this.service.machine(arn) : undefined;
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  }

  /** A state machine ARN, a version ARN (`…:3`) or an alias ARN (`…:live`); anything else does not exist. */
  private target(arn: unknown): Target {
    if (typeof arn === 'string') {
      const machine = this.service.machine(arn);
      if (machine) return { machine };
      const cut = arn.lastIndexOf(':');
      const base = this.service.machine(arn.slice(0, cut));
      const qualifier = arn.slice(cut + 1);
      if (base && /^\d+$/.test(qualifier)) {
        const version = this.service.versions.find(base.local.arn, Number(qualifier));
        if (version) return { machine: base, version };
      } else if (base && qualifier === base.local.alias) {
        const version = this.service.versions.latest(base.local.arn);
        if (version) return { machine: base, version, aliasArn: arn };
      }
    }
    throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
  }

  private aliasArn(machine: Machine): string | undefined {
    return machine.local.alias && this.service.versions.latest(machine.local.arn) ? `${machine.local.arn}:${machine.local.alias}` : undefined;
  }

  private aliasTarget(arn: string): { machine: Machine; version: PublishedVersion } | undefined {
    try {
      const { machine, version, aliasArn } = this.target(arn);
      return aliasArn && version ? { machine, version } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** One page of a list call: `maxResults` items (0 or absent: the default) from the offset a `nextToken` carries. */
function page(items: unknown[], request: Record<string, unknown>, key: string): Record<string, unknown> {
  const maxResults = member(request, 'maxResults', 'number') as number | undefined;
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000)) {
    throw new SfnApiError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must be an integer from 0 to 1000`);
  }
  const max = maxResults ? maxResults : key === 'events' ? 1000 : 100;
  const start = pageStart(stringMember(request, 'nextToken'), items.length);
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
  return { [key]: slice, ...(next ? { nextToken: next } : {}) };
}

/** The offset a nextToken of ours carries; anything else (or an offset past the list) is AWS's InvalidToken. */
function pageStart(token: string | undefined, length: number): number {
  if (token === undefined) return 0;
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(token) ? Buffer.from(token, 'base64').toString() : '';
  const start = /^[1-9]\d{0,8}$/.test(decoded) ? Number(decoded) : NaN;
  if (!Number.isInteger(start) || start > length) throw new SfnApiError('InvalidToken', `Invalid Token: '${token}'`);
  return start;
}
