/*
 * The console's pure logic, shared by the page and the unit tests: the graph drawn from an ASL
 * definition, and each state's outcome read from a GetExecutionHistory-shaped event list.
 * Nothing here touches the DOM, so it is tested without a browser.
 */

export type NodeKind = 'start' | 'end' | 'main' | 'compensation' | 'fail' | 'other';
export type EdgeKind = 'next' | 'catch' | 'choice' | 'end';

export interface GraphNode {
  id: string;
  type: string;
  kind: NodeKind;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** The ErrorEquals of a Catch, or nothing. */
  label?: string;
}

export interface StateGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { ErrorEquals?: string[]; Next?: string }[];
}

export const START = 'Start';
export const END = 'End';

/**
 * The graph of a top-level ASL definition. A Task that the happy path (StartAt followed through
 * Next and Choice, never Catch) cannot reach only runs after a failure, so it is a compensation.
 */
export function graphFromDefinition(definition: { StartAt?: string; States?: Record<string, AslState> }): StateGraph {
  const states = definition.States ?? {};
  const edges: GraphEdge[] = [];
  if (definition.StartAt) edges.push({ from: START, to: definition.StartAt, kind: 'next' });
  for (const [name, state] of Object.entries(states)) {
    if (state.Next) edges.push({ from: name, to: state.Next, kind: 'next' });
    if (state.End === true || state.Type === 'Succeed') edges.push({ from: name, to: END, kind: 'end' });
    for (const choice of state.Choices ?? []) if (choice.Next) edges.push({ from: name, to: choice.Next, kind: 'choice' });
    if (state.Default) edges.push({ from: name, to: state.Default, kind: 'choice' });
    for (const katch of state.Catch ?? []) {
      if (katch.Next) edges.push({ from: name, to: katch.Next, kind: 'catch', label: (katch.ErrorEquals ?? []).join(', ') });
    }
  }
  const happy = new Set<string>();
  const queue = definition.StartAt ? [definition.StartAt] : [];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (happy.has(name)) continue;
    happy.add(name);
    for (const edge of edges) if (edge.from === name && (edge.kind === 'next' || edge.kind === 'choice')) queue.push(edge.to);
  }
  const kindOf = (name: string, type: string): NodeKind => {
    if (type === 'Fail') return 'fail';
    if (type === 'Task') return happy.has(name) ? 'main' : 'compensation';
    return 'other';
  };
  const nodes: GraphNode[] = [
    { id: START, type: 'Start', kind: 'start' },
    ...Object.entries(states).map(([name, state]) => ({ id: name, type: state.Type ?? 'Task', kind: kindOf(name, state.Type ?? 'Task') })),
    { id: END, type: 'End', kind: 'end' },
  ];
  return { nodes, edges };
}

/** One event of GetExecutionHistory, timestamps in epoch seconds as the AWS JSON API sends them. */
export interface WireEvent {
  id: number;
  type: string;
  timestamp: number;
  stateEnteredEventDetails?: { name: string; input?: string };
  stateExitedEventDetails?: { name: string; output?: string };
  taskFailedEventDetails?: { error?: string; cause?: string };
  lambdaFunctionFailedEventDetails?: { error?: string; cause?: string };
  executionFailedEventDetails?: { error?: string; cause?: string };
}

export type Outcome = 'running' | 'succeeded' | 'failed' | 'caught';

/** One visit of one state: what the timeline shows and what colours the graph. */
export interface StateVisit {
  name: string;
  outcome: Outcome;
  /** Task invocations in this visit; retries are attempts - 1. */
  attempts: number;
  enteredAt: number;
  exitedAt?: number;
  /** Exited (or left by a Catch) minus entered, in ms; absent while running. */
  durationMs?: number;
  input?: string;
  output?: string;
  error?: { error?: string; cause?: string };
  /** The last task attempt failed: a state that exits after that was left through a Catch. */
  lastAttemptFailed?: boolean;
}

export interface ExecutionView {
  visits: StateVisit[];
  /** The last visit of each state, for colouring the graph. */
  outcomes: Map<string, StateVisit>;
  /** Catch edges that were taken, as `from -> to`. */
  caughtEdges: Set<string>;
  failure?: { error?: string; cause?: string };
}

const TERMINAL_FAILURE = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

/** Reads each state's outcome, attempts and timing from an execution's history. */
export function executionView(events: readonly WireEvent[]): ExecutionView {
  const visits: StateVisit[] = [];
  const caughtEdges = new Set<string>();
  let current: StateVisit | undefined;
  /** A visit closed as caught, waiting for the state its Catch leads to. */
  let caughtFrom: StateVisit | undefined;
  let failure: ExecutionView['failure'];
  const close = (visit: StateVisit, outcome: Outcome, at: number) => {
    visit.outcome = outcome;
    visit.exitedAt = at;
    visit.durationMs = Math.round((at - visit.enteredAt) * 1000);
  };
  for (const event of events) {
    const at = event.timestamp;
    if (event.type.endsWith('StateEntered') && event.stateEnteredEventDetails) {
      const { name, input } = event.stateEnteredEventDetails;
      // A state left without a StateExited event was left through a Catch too.
      if (current?.outcome === 'running') close(current, 'caught', at);
      if (current?.outcome === 'caught') caughtFrom = current;
      if (caughtFrom) caughtEdges.add(`${caughtFrom.name} -> ${name}`);
      caughtFrom = undefined;
      current = { name, outcome: 'running', attempts: 0, enteredAt: at, ...(input === undefined ? {} : { input }) };
      visits.push(current);
      if (event.type === 'FailStateEntered') close(current, 'failed', at);
    } else if (event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled') {
      if (current) current.attempts += 1;
    } else if (event.type === 'TaskSucceeded' || event.type === 'LambdaFunctionSucceeded') {
      if (current) current.lastAttemptFailed = false;
    } else if (event.type === 'TaskFailed' || event.type === 'LambdaFunctionFailed' || event.type === 'TaskTimedOut') {
      if (current) {
        current.error = event.taskFailedEventDetails ?? event.lambdaFunctionFailedEventDetails ?? { error: 'States.Timeout' };
        current.lastAttemptFailed = true;
      }
    } else if (event.type.endsWith('StateExited') && event.stateExitedEventDetails) {
      const visit = current?.name === event.stateExitedEventDetails.name ? current : undefined;
      if (visit && visit.outcome === 'running') {
        // As on AWS, a Catch exits the state too; only the failed last attempt tells it apart.
        close(visit, visit.lastAttemptFailed ? 'caught' : 'succeeded', at);
        if (event.stateExitedEventDetails.output !== undefined) visit.output = event.stateExitedEventDetails.output;
      }
    } else if (event.type === 'ExecutionRedriven') {
      // The runtime stopped mid-state and resumes by entering it again: that visit is the one that counts.
      if (current?.outcome === 'running') visits.pop();
      current = undefined;
    } else if (TERMINAL_FAILURE.has(event.type)) {
      failure = event.executionFailedEventDetails ?? { error: event.type };
      if (current?.outcome === 'running') close(current, 'failed', at);
    }
  }
  const outcomes = new Map(visits.map((visit) => [visit.name, visit]));
  return { visits, outcomes, caughtEdges, ...(failure ? { failure } : {}) };
}

/** The readable part of a Cause: Lambda's JSON `{errorType, errorMessage, trace}` gives its errorMessage. */
export function describeCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: a Fail state's Cause is plain text.
  }
  return cause;
}

/** "350 ms", "2.4 s", "3 min 5 s": short and readable in a timeline. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${String(minutes)} min ${String(Math.round((ms % 60_000) / 1000))} s`;
}
