import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type WireEvent, describeCause, executionView, formatDuration, graphFromDefinition } from '../../local/console/web/model';
import { ROOT } from '../support/template';

const definition = JSON.parse(readFileSync(join(ROOT, 'statemachine', 'order-processing.asl.json'), 'utf8')) as Parameters<typeof graphFromDefinition>[0];

/** Builds a history the way the local runtime records it (and AWS shapes it), one second per event. */
function history(...steps: ([string, string] | [string])[]): WireEvent[] {
  return steps.map(([type, name], index) => {
    const event: WireEvent = { id: index + 1, type, timestamp: 1_700_000_000 + index };
    if (type.endsWith('StateEntered') && name) event.stateEnteredEventDetails = { name, input: `{"in":"${name}"}` };
    if (type.endsWith('StateExited') && name) event.stateExitedEventDetails = { name, output: `{"out":"${name}"}` };
    if (type === 'TaskFailed') event.taskFailedEventDetails = { error: name ?? 'Error', cause: '{"errorType":"X","errorMessage":"went wrong","trace":[]}' };
    if (type === 'ExecutionFailed') event.executionFailedEventDetails = { error: name ?? 'States.TaskFailed', cause: 'failed' };
    return event;
  });
}

/** A Task state's events; each attempt is 'ok' or the error it failed with. */
const task = (name: string, ...attempts: string[]): ([string, string] | [string])[] => [
  ['TaskStateEntered', name],
  ...attempts.flatMap((attempt): ([string, string] | [string])[] => [['TaskScheduled'], ['TaskStarted'], attempt === 'ok' ? ['TaskSucceeded'] : ['TaskFailed', attempt]]),
  ['TaskStateExited', name],
];

describe('graphFromDefinition', () => {
  const graph = graphFromDefinition(definition);
  const kind = (id: string) => graph.nodes.find((node) => node.id === id)?.kind;

  it('draws every ASL state plus Start and End', () => {
    expect(graph.nodes.map((node) => node.id).sort()).toEqual(['End', 'Start', ...Object.keys(definition.States ?? {})].sort());
  });

  it('marks the tasks only a Catch reaches as compensations, and the happy path as main', () => {
    expect(['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt'].map(kind)).toEqual(['main', 'main', 'main', 'main']);
    expect(['Cancel Shipment', 'Void Payment'].map(kind)).toEqual(['compensation', 'compensation']);
    expect(kind('Payment Declined')).toBe('fail');
  });

  it('keeps Catch edges apart from Next edges, labelled with their ErrorEquals', () => {
    expect(graph.edges).toContainEqual({ from: 'Authorize Payment', to: 'Payment Declined', kind: 'catch', label: 'PaymentDeclined' });
    expect(graph.edges).toContainEqual({ from: 'Authorize Payment', to: 'Create Shipment', kind: 'next' });
    expect(graph.edges).toContainEqual({ from: 'Generate Receipt', to: 'End', kind: 'end' });
  });
});

describe('executionView', () => {
  it('marks the four happy-path states succeeded with durations, inputs and outputs', () => {
    const view = executionView(history(['ExecutionStarted'], ...task('Authorize Payment', 'ok'), ...task('Create Shipment', 'ok'), ['ExecutionSucceeded']));
    expect(view.visits.map((visit) => [visit.name, visit.outcome, visit.attempts, visit.durationMs])).toEqual([
      ['Authorize Payment', 'succeeded', 1, 4000],
      ['Create Shipment', 'succeeded', 1, 4000],
    ]);
    expect(view.outcomes.get('Create Shipment')).toMatchObject({ input: '{"in":"Create Shipment"}', output: '{"out":"Create Shipment"}' });
    expect(view.failure).toBeUndefined();
  });

  it('counts retries and still calls a state that finally worked succeeded', () => {
    const view = executionView(history(...task('Authorize Payment', 'ProviderUnavailable', 'ProviderUnavailable', 'ok')));
    expect(view.outcomes.get('Authorize Payment')).toMatchObject({ outcome: 'succeeded', attempts: 3 });
  });

  it('calls a state left through a Catch caught, records the edge, and fails the Fail state', () => {
    const view = executionView(history(
      ...task('Capture Payment', 'CaptureDeclined'),
      ...task('Cancel Shipment', 'ok'),
      ...task('Void Payment', 'ok'),
      ['FailStateEntered', 'Order Failed'],
      ['ExecutionFailed', 'OrderFailed'],
    ));
    expect(view.visits.map((visit) => [visit.name, visit.outcome])).toEqual([
      ['Capture Payment', 'caught'],
      ['Cancel Shipment', 'succeeded'],
      ['Void Payment', 'succeeded'],
      ['Order Failed', 'failed'],
    ]);
    expect([...view.caughtEdges]).toEqual(['Capture Payment -> Cancel Shipment']);
    expect(view.outcomes.get('Capture Payment')?.error?.error).toBe('CaptureDeclined');
    expect(view.failure).toEqual({ error: 'OrderFailed', cause: 'failed' });
  });

  it('also calls a state caught when the next state is entered with no StateExited', () => {
    const events = history(...task('Authorize Payment', 'PaymentDeclined').filter(([type]) => type !== 'TaskStateExited'), ['FailStateEntered', 'Payment Declined']);
    expect(executionView(events).outcomes.get('Authorize Payment')?.outcome).toBe('caught');
    expect([...executionView(events).caughtEdges]).toEqual(['Authorize Payment -> Payment Declined']);
  });

  it('leaves the current state running, without a duration, while the execution runs', () => {
    const view = executionView(history(['ExecutionStarted'], ['TaskStateEntered', 'Generate Receipt'], ['TaskScheduled']));
    expect(view.outcomes.get('Generate Receipt')).toMatchObject({ outcome: 'running', attempts: 1 });
    expect(view.outcomes.get('Generate Receipt')?.durationMs).toBeUndefined();
  });

  it('fails the running state when the execution fails in it', () => {
    const view = executionView(history(['TaskStateEntered', 'Void Payment'], ['ExecutionFailed', 'States.Timeout']));
    expect(view.outcomes.get('Void Payment')?.outcome).toBe('failed');
  });

  it('keeps only the resumed visit of a state interrupted by a restart (redrive)', () => {
    const view = executionView(history(['TaskStateEntered', 'Create Shipment'], ['TaskScheduled'], ['ExecutionRedriven'], ...task('Create Shipment', 'ok')));
    expect(view.visits.map((visit) => [visit.name, visit.outcome])).toEqual([['Create Shipment', 'succeeded']]);
  });
});

describe('describeCause and formatDuration', () => {
  it("shows Lambda's errorMessage rather than its JSON and trace, and plain causes as they are", () => {
    expect(describeCause('{"errorType":"PaymentDeclined","errorMessage":"card_declined","trace":["at x"]}')).toBe('card_declined');
    expect(describeCause('The order failed')).toBe('The order failed');
    expect(describeCause(undefined)).toBe('');
  });

  it('formats durations for the timeline', () => {
    expect([formatDuration(42), formatDuration(2400), formatDuration(185_000)]).toEqual(['42 ms', '2.4 s', '3 min 5 s']);
  });
});
