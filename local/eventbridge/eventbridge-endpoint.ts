import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, refusedCrossSite, refusedUnsigned, sendJson } from '../http-endpoints';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '../lambda/payload-limits';
import { EventBridgeError, type EventBridgeService } from './eventbridge-service';

const HEADERS = { 'Content-Type': 'application/x-amz-json-1.1' };

function operations(events: EventBridgeService): Record<string, ((input: Record<string, unknown>) => unknown) | undefined> {
  return {
    PutEvents: (input) => events.putEvents(input),
    ListEventBuses: () => ({ EventBuses: events.busNames().map((name) => ({ Name: name })) }),
    ListArchives: (input) => events.replays.listArchives(input),
    DescribeArchive: (input) => events.replays.describeArchive(input),
    StartReplay: (input) => events.replays.startReplay(input),
    DescribeReplay: (input) => events.replays.describeReplay(input),
    ListReplays: (input) => events.replays.listReplays(input),
    CancelReplay: (input) => events.replays.cancelReplay(input),
  };
}

/** The EventBridge API on JSON 1.1 (`X-Amz-Target: AWSEvents.<Operation>`): PutEvents, ListEventBuses, archives and replays. */
export function eventBridgeEndpoint(events: EventBridgeService) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedUnsigned(request, response, (type, message) => ({ __type: type, message }))) return;
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
    // A little over the 256 KB entry limit, so an oversized request gets EventBridge's own answer.
    const body = await readBody(request, 2 * 1024 * 1024);
    try {
      if (!body) throw new EventBridgeError('ValidationException', 'Total size of the entries in the request is over the limit.');
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (typeof parsed !== 'object' || parsed === null || nestsDeeperThan(parsed)) throw new EventBridgeError('SerializationException', `Request body must be a JSON object nesting at most ${String(MAX_PAYLOAD_DEPTH)} levels`);
      const input = parsed as Record<string, unknown>;
      const handler = operations(events)[operation];
      if (!handler) throw new EventBridgeError('UnknownOperationException', `Operation ${operation || '(none)'} is not emulated locally (served: ${Object.keys(operations(events)).join(', ')})`);
      sendJson(response, 200, handler(input), HEADERS);
    } catch (error) {
      if (error instanceof EventBridgeError) sendJson(response, 400, { __type: error.type, message: error.message }, { ...HEADERS, 'x-amzn-ErrorType': error.type });
      else if (error instanceof SyntaxError) sendJson(response, 400, { __type: 'SerializationException', message: 'Malformed JSON' }, { ...HEADERS, 'x-amzn-ErrorType': 'SerializationException' });
      else throw error;
    }
  };
}

/** `GET /_local/events[?bus=name]` on the Lambda endpoint: the events put on the buses, newest last, with the rules each matched. */
export function recentEventsEndpoint(events: EventBridgeService) {
  return (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedCrossSite(request, response)) return Promise.resolve();
    const bus = new URL(request.url ?? '/', 'http://localhost').searchParams.get('bus');
    sendJson(response, 200, { events: events.recent().filter((seen) => bus === null || seen.bus === bus) });
    return Promise.resolve();
  };
}
