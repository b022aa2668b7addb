import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaErrors } from '../tests/support/event-schemas';
import { eventLabel } from '../tests/support/order-event-paths';
import { until } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import type { Row } from './summary';

/*
 * Issue 13 in the chaos suite: the domain events that reached the bus (read from its archive, which
 * survives the SIGKILL) against each accepted order's final state. Delivery is at least once, so
 * events are deduplicated by detail.eventId first, as consumers do; what is left must be complete,
 * in order and schema-valid for every order, through crashes, outages and a kill mid-run.
 */

/** Every event type in the one order any path can take them (a path skips some, never reorders). */
const CANONICAL = ['OrderPlaced', 'PaymentAuthorized', 'ShipmentCreated', 'PaymentCaptured', 'ReceiptReady', 'CompensationStarted', 'OrderFailed', 'OrderCompleted'];

interface ArchivedEvent {
  'detail-type': string;
  source: string;
  time: string;
  detail: { orderId: string; eventId: string };
}
interface FinalOrder {
  orderId: string;
  status: string;
  receipt?: { status: string };
  failure?: { code: string };
}

function archived(stateDir: string): ArchivedEvent[] {
  const path = join(stateDir, 'data', 'eventbridge', 'archives', 'OrderEventArchive.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ArchivedEvent);
}

/** What is wrong with one order's deduplicated events, given its final state ('' when nothing). */
function problemOf(order: FinalOrder, events: ArchivedEvent[]): string {
  const types = events.map((event) => event['detail-type']);
  if (new Set(types).size !== types.length) return `a transition published twice under different ids: ${types.join(',')}`;
  const positions = types.map((type) => CANONICAL.indexOf(type));
  if (positions.some((position, index) => position < 0 || (index > 0 && position < (positions[index - 1] ?? 0)))) return `out of order: ${types.join(',')}`;
  if (types[0] !== 'OrderPlaced') return `no OrderPlaced first: ${types.join(',')}`;
  if (order.status === 'COMPLETED') {
    if (types.at(-1) !== 'OrderCompleted') return `COMPLETED without OrderCompleted last: ${types.join(',')}`;
    const receipt = order.receipt?.status !== 'FAILED';
    if (receipt !== types.includes('ReceiptReady')) return `receipt ${order.receipt?.status ?? 'none'} but events ${types.join(',')}`;
    for (const step of ['PaymentAuthorized', 'ShipmentCreated', 'PaymentCaptured']) if (!types.includes(step)) return `COMPLETED without ${step}`;
  } else {
    const last = events.at(-1);
    const label = last ? eventLabel(last['detail-type'], last.detail) : '';
    if (label !== `OrderFailed:${order.failure?.code ?? ''}` && label !== 'OrderFailed:CompensationFailed') return `FAILED (${order.failure?.code ?? '?'}) but the last event is ${label || 'none'}`;
  }
  return '';
}

/** Events by order, in the order the bus got them, each once (deduplicated by detail.eventId, as consumers do). */
function byOrder(all: ArchivedEvent[]): Map<string, ArchivedEvent[]> {
  const map = new Map<string, ArchivedEvent[]>();
  const seen = new Set<string>();
  for (const event of all) {
    if (seen.has(event.detail.eventId)) continue;
    seen.add(event.detail.eventId);
    map.set(event.detail.orderId, [...(map.get(event.detail.orderId) ?? []), event]);
  }
  return map;
}

/** The archived domain events of each order, deduplicated. */
export function archivedEventsByOrder(stateDir: string): Map<string, ArchivedEvent[]> {
  return byOrder(archived(stateDir));
}

/** The chaos suite's domain-event rows: nothing lost, nothing out of order, every event valid. */
export async function domainEventRows(clients: RuntimeClients, stateDir: string, accepted: ReadonlySet<string>, area: string): Promise<Row[]> {
  const orders = new Map(((await clients.scan('OrdersTable')) as unknown as FinalOrder[]).map((order) => [order.orderId, order]));
  // The publisher follows the stream with a batching window: wait until every order's outcome is on the bus.
  const terminalType = (order: FinalOrder | undefined) => (order?.status === 'COMPLETED' ? 'OrderCompleted' : 'OrderFailed');
  const caughtUp = () => {
    const events = byOrder(archived(stateDir));
    return [...accepted].every((orderId) => (events.get(orderId) ?? []).some((event) => event['detail-type'] === terminalType(orders.get(orderId))));
  };
  const settled = await until(() => Promise.resolve(caughtUp()), 120_000, 1000);
  const all = archived(stateDir);
  const events = byOrder(all);
  const problems: string[] = [];
  for (const orderId of accepted) {
    const order = orders.get(orderId);
    const problem = order ? problemOf(order, events.get(orderId) ?? []) : 'order missing';
    if (problem) problems.push(`${orderId}: ${problem}`);
  }
  const invalid = [...events.values()].flat().flatMap((event) => schemaErrors(event as unknown as Record<string, unknown>).map((error) => `${event.detail.eventId} ${error}`));
  const unique = [...events.values()].reduce((sum, list) => sum + list.length, 0);
  // The runtime may have served other suites' orders before these: the per-order figure counts these orders' events only.
  const ofAccepted = [...accepted].reduce((sum, orderId) => sum + (events.get(orderId)?.length ?? 0), 0);
  return [
    {
      area,
      check: 'domain events: nothing lost, nothing out of order',
      tried: `${String(accepted.size)} chaos orders; ${String(all.length)} events archived from the bus, ${String(all.length - unique)} of them redelivered copies`,
      required: 'per order, after dedupe by eventId: OrderPlaced first, the outcome (OrderCompleted, or OrderFailed with the order\'s failure code) last, ReceiptReady iff a receipt, each transition once, in order',
      observed: `${String(problems.length)} orders wrong${settled ? '' : ' (the bus had not caught up in 120 s)'}${problems.length ? `: ${problems.slice(0, 3).join('; ')}` : ''}; ${(ofAccepted / Math.max(1, accepted.size)).toFixed(2)} events per chaos order`,
      held: settled && problems.length === 0,
    },
    {
      area,
      check: 'domain events match their schemas',
      tried: `${String(unique)} events, each against events/schemas/<detail-type>.json`,
      required: '0 invalid',
      observed: `${String(invalid.length)} invalid${invalid.length ? `: ${invalid.slice(0, 3).join('; ')}` : ''}`,
      held: unique > 0 && invalid.length === 0,
    },
  ];
}
