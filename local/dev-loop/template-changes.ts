import { isDeepStrictEqual } from 'node:util';
import type { LocalFunction, LocalStateMachine, LocalTemplate } from '../template/local-template';

/*
 * What a saved template.yaml (or ASL file) changed, split into what the running runtime can apply
 * in place and what needs a restart. Applied live: a function's code settings (entry point,
 * handler, esbuild Metadata) and configuration (Environment, MemorySize, Timeout), and a state
 * machine's definition (its ASL or DefinitionSubstitutions). Anything else (a resource added or
 * removed, a table, bucket, API, route, queue, rule, event source, a function's name or
 * concurrency) is wired into servers and stores at start-up, so the runtime names it and asks for
 * a restart.
 */

/** The function fields that change its bundle. */
const CODE_FIELDS = ['entryPoint', 'handler', 'buildProperties'] as const;
/** The function fields a fresh execution environment picks up. */
const CONFIGURATION_FIELDS = ['environment', 'memoryMb', 'timeoutSeconds'] as const;
const LIVE_FUNCTION_FIELDS = new Set<string>([...CODE_FIELDS, ...CONFIGURATION_FIELDS]);

export interface TemplateChanges {
  /** Functions whose bundle must be rebuilt (their configuration may have changed too). */
  rebuild: LocalFunction[];
  /** Functions whose configuration changed and code did not: their environments are replaced. */
  reconfigure: LocalFunction[];
  /** State machines whose definition changed. */
  stateMachines: LocalStateMachine[];
  /** Changes that need a restart, each naming what changed. */
  needsRestart: string[];
}

/** The resource lists of a template, with the words a message uses for them. */
const LISTS: { key: Exclude<keyof LocalTemplate, 'region' | 'accountId' | 'functions' | 'stateMachines'>; label: string }[] = [
  { key: 'tables', label: 'table' },
  { key: 'buckets', label: 'bucket' },
  { key: 'apis', label: 'REST API' },
  { key: 'streamMappings', label: 'DynamoDB stream event source' },
  { key: 'queueMappings', label: 'SQS event source' },
  { key: 'queues', label: 'queue' },
  { key: 'eventBuses', label: 'event bus' },
  { key: 'rules', label: 'EventBridge rule' },
  { key: 'archives', label: 'event archive' },
  { key: 'webSocketApis', label: 'WebSocket API' },
  { key: 'secrets', label: 'secret' },
];

/** Equal as data: the template's values are JSON (the readers build them from YAML), so prototypes and key order do not matter. */
const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)) as unknown, JSON.parse(JSON.stringify(b ?? null)) as unknown);

const idOf = (item: object): string => {
  const record = item as { logicalId?: unknown; id?: unknown; name?: unknown };
  const id = [record.logicalId, record.id, record.name].find((value) => typeof value === 'string');
  return typeof id === 'string' ? id : JSON.stringify(item);
};

/** Added, removed and changed items of two lists, by logical id. */
function compareLists(label: string, before: readonly object[], after: readonly object[]): string[] {
  const old = new Map(before.map((item) => [idOf(item), item]));
  const now = new Map(after.map((item) => [idOf(item), item]));
  const lines: string[] = [];
  for (const [id, item] of now) {
    const previous = old.get(id);
    if (!previous) lines.push(`${label} ${id} added`);
    else if (!same(previous, item)) lines.push(`${label} ${id} changed`);
  }
  for (const id of old.keys()) if (!now.has(id)) lines.push(`${label} ${id} removed`);
  return lines;
}

/** The changes from `before` (what runs) to `after` (the template as saved). */
export function templateChanges(before: LocalTemplate, after: LocalTemplate): TemplateChanges {
  const changes: TemplateChanges = { rebuild: [], reconfigure: [], stateMachines: [], needsRestart: [] };
  if (before.region !== after.region || before.accountId !== after.accountId) changes.needsRestart.push('region or account');

  const functions = new Map(before.functions.map((fn) => [fn.logicalId, fn]));
  for (const fn of after.functions) {
    const previous = functions.get(fn.logicalId);
    if (!previous) {
      changes.needsRestart.push(`function ${fn.logicalId} added`);
      continue;
    }
    const differs = (field: keyof LocalFunction) => !same(previous[field], fn[field]);
    const fields = (Object.keys({ ...previous, ...fn }) as (keyof LocalFunction)[]).filter(differs);
    const others = fields.filter((field) => !LIVE_FUNCTION_FIELDS.has(field));
    if (others.length > 0) changes.needsRestart.push(`function ${fn.logicalId} changed (${others.join(', ')})`);
    else if (CODE_FIELDS.some(differs)) changes.rebuild.push(fn);
    else if (CONFIGURATION_FIELDS.some(differs)) changes.reconfigure.push(fn);
  }
  for (const id of functions.keys()) if (!after.functions.some((fn) => fn.logicalId === id)) changes.needsRestart.push(`function ${id} removed`);

  const machines = new Map(before.stateMachines.map((machine) => [machine.logicalId, machine]));
  for (const machine of after.stateMachines) {
    const previous = machines.get(machine.logicalId);
    if (!previous) {
      changes.needsRestart.push(`state machine ${machine.logicalId} added`);
      continue;
    }
    const { definition: oldDefinition, ...oldRest } = previous;
    const { definition, ...rest } = machine;
    if (!same(oldRest, rest)) changes.needsRestart.push(`state machine ${machine.logicalId} changed (not only its definition)`);
    else if (!same(oldDefinition, definition)) changes.stateMachines.push(machine);
  }
  for (const id of machines.keys()) if (!after.stateMachines.some((machine) => machine.logicalId === id)) changes.needsRestart.push(`state machine ${id} removed`);

  for (const { key, label } of LISTS) changes.needsRestart.push(...compareLists(label, before[key], after[key]));
  return changes;
}
