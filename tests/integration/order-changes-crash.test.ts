import type { EventEnvelope } from '../../local/eventbridge/eventbridge-service';
import { schemaErrors } from '../support/event-schemas';
import { type LocalRuntimeProcess, injectLambdaFault, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { PATH_EVENTS, eventLabel } from '../support/order-event-paths';
import { orderRequest } from '../support/orders';
import { RuntimeClients } from '../support/runtime-clients';

/*
 * Killing PublishOrderChangesFunction mid-batch loses nothing (npm start, the real template): its
 * execution environment is terminated during an invoke (0–20 ms into it; when that is after the
 * batch's PutEvents, some of its events are on the bus twice), the event source mapping retries and
 * bisects, and afterwards each order's events on the bus, deduplicated by detail.eventId as
 * docs/domain-events.md tells consumers to, are exactly its path's events, in order, each valid
 * against its schema.
 */
jest.setTimeout(240_000);

let runtime: LocalRuntimeProcess;
let clients: RuntimeClients;

beforeAll(async () => {
  runtime = await startLocalRuntime(newStateDir(), { fresh: true, faults: true });
  clients = new RuntimeClients(runtime.info);
});
afterAll(async () => {
  clients.close();
  await runtime.stop();
});

const request = orderRequest();
const PATHS: [path: keyof typeof PATH_EVENTS, body: () => ReturnType<typeof orderRequest>][] = [
  ['happy', () => orderRequest()],
  ['declined', () => orderRequest({ payment: { token: 'tok_chargeDeclined' } })],
  ['shippingFailure', () => orderRequest({ shippingAddress: { ...request.shippingAddress, country: 'AQ' } })],
  ['captureFailure', () => orderRequest({ payment: { token: 'tok_capture_declined' } })],
];

const crashPublisher = (count: number) => injectLambdaFault(runtime, 'PublishOrderChangesFunction', 'crash', count);

async function busEvents(): Promise<EventEnvelope[]> {
  const listed = (await (await fetch(runtime.info.eventsUrl)).json()) as { events: { event: EventEnvelope }[] };
  return listed.events.map((seen) => seen.event);
}

const detailOf = (event: EventEnvelope) => event.detail as { orderId: string; eventId: string };

describe('PublishOrderChanges killed mid-batch (npm start)', () => {
  it("loses no domain event: after dedupe by eventId each order's events are exactly its path's, in order, and valid", async () => {
    await crashPublisher(3);
    const orders: { orderId: string; path: keyof typeof PATH_EVENTS }[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (const [path, body] of PATHS) {
        const response = await clients.api.request<{ orderId: string }>('POST', '/orders', { body: body() });
        expect(response.status).toBe(202);
        orders.push({ orderId: response.body.orderId, path });
      }
      // More crashes while the orders run, so some land on batches that already published part of their events.
      if (round === 2) await crashPublisher(3);
    }
    for (const { orderId } of orders) await clients.api.waitForOrder(orderId, { deadlineMs: 90_000, resolveFailed: true });

    const expectedCount = orders.reduce((sum, { path }) => sum + PATH_EVENTS[path].length, 0);
    const ours = new Set(orders.map(({ orderId }) => orderId));
    const deadline = Date.now() + 90_000;
    let events = await busEvents();
    const distinct = () => new Set(events.filter((event) => ours.has(detailOf(event).orderId)).map((event) => detailOf(event).eventId)).size;
    while (distinct() < expectedCount && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      events = await busEvents();
    }

    const faults = (await (await fetch(`${runtime.info.endpoints.lambda}/_local/faults`)).json()) as { lambda: Record<string, number> };
    expect(faults.lambda['PublishOrderChangesFunction:crash']).toBe(6);

    for (const { orderId, path } of orders) {
      const firstCopies = new Map<string, EventEnvelope>();
      for (const event of events) if (detailOf(event).orderId === orderId && !firstCopies.has(detailOf(event).eventId)) firstCopies.set(detailOf(event).eventId, event);
      const labels = [...firstCopies.values()].map((event) => eventLabel(event['detail-type'], event.detail));
      expect({ orderId, path, labels }).toEqual({ orderId, path, labels: PATH_EVENTS[path] });
      for (const event of firstCopies.values()) {
        const received = { 'detail-type': event['detail-type'], source: event.source, time: event.time, detail: event.detail };
        expect({ type: event['detail-type'], errors: schemaErrors(received) }).toEqual({ type: event['detail-type'], errors: [] });
      }
    }
    // Every copy of an event is the same event: a redelivery repeats it, never changes it.
    const byId = new Map<string, string>();
    for (const event of events.filter((candidate) => ours.has(detailOf(candidate).orderId))) {
      const body = JSON.stringify(event.detail);
      expect(byId.get(detailOf(event).eventId) ?? body).toBe(body);
      byId.set(detailOf(event).eventId, body);
    }
    console.info(`${String(expectedCount)} events for ${String(orders.length)} orders; ${String(events.filter((event) => ours.has(detailOf(event).orderId)).length - byId.size)} redelivered copies`);
  });
});
