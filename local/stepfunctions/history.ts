/** Step Functions history events in the GetExecutionHistory shape. */
export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

const STATE_EVENT_PREFIX: Record<string, string> = {
  Task: 'Task',
  Pass: 'Pass',
  Choice: 'Choice',
  Wait: 'Wait',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Parallel: 'Parallel',
  Map: 'Map',
};

/** `TaskStateEntered`, `FailStateEntered`, … for a state type. */
export function stateEventType(stateType: string, phase: 'Entered' | 'Exited'): string {
  return `${STATE_EVENT_PREFIX[stateType] ?? 'Task'}State${phase}`;
}

/** Appends events with ids and previousEventId, as AWS numbers them. */
export class HistoryRecorder {
  constructor(readonly events: HistoryEvent[] = []) {}

  add(type: string, details: Record<string, unknown> = {}, timestamp = Date.now()): HistoryEvent {
    const id = this.events.length + 1;
    const event: HistoryEvent = { timestamp, type, id, previousEventId: id - 1, ...details };
    this.events.push(event);
    return event;
  }
}

/** The AWS JSON 1.0 form: timestamps in epoch seconds. */
export function toWire(event: HistoryEvent): Record<string, unknown> {
  return { ...event, timestamp: event.timestamp / 1000 };
}
