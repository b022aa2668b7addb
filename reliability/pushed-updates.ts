import { UpdatesSubscriber, keptViews, missedStatuses, statusChanges } from '../tests/support/order-updates';
import { sleep, until } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import { archivedEventsByOrder } from './domain-events';
import type { Row } from './summary';

/*
 * Issue 13's push in the chaos suite: WebSocket subscribers on a sample of the chaos orders, opened
 * through POST /orders' links.updates as a customer's page would, through crashes, outages and the
 * SIGKILL (which drops every connection: a subscriber then opens a fresh links.updates from
 * GET /orders/{id}, as docs/realtime-updates.md tells clients to). Per order, what the subscribers
 * showed is checked against the order's final state and against the domain events it published.
 */

/** Every status in the one order any path can show them (a path skips some, never goes back). */
const STATUS_ORDER = ['RECEIVED', 'PAYMENT_AUTHORIZED', 'SHIPPED', 'PAYMENT_CAPTURED', 'CANCELLING', 'COMPLETED', 'FAILED'];
/** The status each transition event reports (ReceiptReady comes with COMPLETED and adds none). */
const STATUS_OF_EVENT: Record<string, string | undefined> = {
  OrderPlaced: 'RECEIVED',
  PaymentAuthorized: 'PAYMENT_AUTHORIZED',
  ShipmentCreated: 'SHIPPED',
  PaymentCaptured: 'PAYMENT_CAPTURED',
  CompensationStarted: 'CANCELLING',
  OrderCompleted: 'COMPLETED',
  OrderFailed: 'FAILED',
};

interface Session {
  subscriber: UpdatesSubscriber;
  /** Set when the session could not open (refused upgrade, runtime down). */
  failed?: string;
  /** The close code, once closed: 1000 is the server's close after a terminal view. */
  closeCode?: number;
}

interface Watched {
  orderId: string;
  sessions: Session[];
}

/** The subscribers of the sampled orders, across the runtime's kill and restart. */
export class PushWatch {
  private readonly watched = new Map<string, Watched>();

  /** Subscribes to an order through a links.updates URL and asks for the snapshot once open. */
  async watch(orderId: string, updatesUrl: string): Promise<void> {
    const entry = this.watched.get(orderId) ?? { orderId, sessions: [] };
    this.watched.set(orderId, entry);
    const session: Session = { subscriber: new UpdatesSubscriber(updatesUrl) };
    void session.subscriber.closed.then(({ code }) => (session.closeCode = code));
    entry.sessions.push(session);
    try {
      await session.subscriber.opened;
      session.subscriber.socket.send(JSON.stringify({ action: 'snapshot' }));
    } catch (error) {
      session.failed = String(error);
    }
  }

  get size(): number {
    return this.watched.size;
  }

  /** True when an order's last session ended without the server's close after a terminal view (the kill, a refused open). */
  private needsReopen(entry: Watched): boolean {
    const last = entry.sessions.at(-1);
    return last === undefined || last.failed !== undefined || (last.closeCode !== undefined && last.closeCode !== 1000);
  }

  private closedByServer(entry: Watched): boolean {
    return entry.sessions.at(-1)?.closeCode === 1000;
  }

  /**
   * Reopens every subscriber whose connection dropped (after the restart), with a fresh
   * links.updates from GET /orders/{id}; an order that is already terminal answers the snapshot and closes.
   */
  async reopen(clients: RuntimeClients): Promise<number> {
    let reopened = 0;
    for (const entry of this.watched.values()) {
      if (!this.needsReopen(entry)) continue;
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const response = await clients.api.request<{ links?: { updates?: string } }>('GET', `/orders/${entry.orderId}`).catch(() => undefined);
        const updates = response?.status === 200 ? response.body.links?.updates : undefined;
        if (updates) {
          await this.watch(entry.orderId, updates);
          if (entry.sessions.at(-1)?.failed === undefined) break;
        }
        await sleep(300 + attempt * 200);
      }
      reopened += 1;
    }
    return reopened;
  }

  /** The chaos suite's push rows, once every execution has ended. */
  async rows(clients: RuntimeClients, stateDir: string, area: string): Promise<Row[]> {
    // A subscriber refused while the runtime was down, or cut by a late outage, opens again.
    await this.reopen(clients);
    const orders = new Map(((await clients.scan('OrdersTable')) as unknown as { orderId: string; status: string }[]).map((order) => [order.orderId, order]));
    // The server closes a subscriber once its order is terminal (an order left CANCELLING by a failed compensation stays open).
    const terminal = [...this.watched.values()].filter((entry) => ['COMPLETED', 'FAILED'].includes(orders.get(entry.orderId)?.status ?? ''));
    const settled = await until(() => Promise.resolve(terminal.every((entry) => this.closedByServer(entry))), 120_000, 500);
    const events = archivedEventsByOrder(stateDir);
    const problems: string[] = [];
    let messages = 0;
    let sessions = 0;
    for (const entry of this.watched.values()) {
      sessions += entry.sessions.length;
      messages += entry.sessions.reduce((sum, session) => sum + session.subscriber.messages.length, 0);
      const expected = [...new Set((events.get(entry.orderId) ?? []).flatMap((event) => STATUS_OF_EVENT[event['detail-type']] ?? []))];
      const problem = problemOf(entry, orders.get(entry.orderId)?.status, expected);
      if (problem) problems.push(`${entry.orderId}: ${problem}`);
    }
    for (const entry of this.watched.values()) for (const session of entry.sessions) session.subscriber.socket.close();
    return [
      {
        area,
        check: 'pushed order views: nothing lost, nothing out of order',
        tried: `${String(this.watched.size)} chaos orders watched over WebSocket from their POST, through the faults and the SIGKILL: ${String(sessions)} connections, ${String(messages)} messages`,
        required: "per order: statuses never go back; from its snapshot's answer on, a connection gets every status the order's domain events report, in order; the last view is the order's final status, then the server's close (1000)",
        observed: `${String(problems.length)} orders wrong${settled ? '' : ' (not every subscriber was closed in 120 s)'}${problems.length ? `: ${problems.slice(0, 3).join('; ')}` : ''}`,
        held: settled && problems.length === 0 && this.watched.size > 0,
      },
    ];
  }
}

/**
 * What is wrong with what one order's subscribers showed ('' when nothing): `final` is the order's
 * status in the table, `expected` the statuses its deduplicated domain events report, in order.
 */
export function problemOf(entry: { sessions: { subscriber: { messages: UpdatesSubscriber['messages'] } }[] }, final: string | undefined, expected: readonly string[]): string {
  const all = keptViews(entry.sessions.flatMap((session) => session.subscriber.messages));
  const shown = statusChanges(all);
  const positions = shown.map((status) => STATUS_ORDER.indexOf(status));
  if (positions.some((position, index) => position < 0 || (index > 0 && position < (positions[index - 1] ?? 0)))) return `out of order: ${shown.join(',')}`;
  if (shown.at(-1) !== final) return `last view ${shown.at(-1) ?? 'none'}, order ${final ?? 'missing'}`;
  for (const [index, session] of entry.sessions.entries()) {
    const messages = session.subscriber.messages;
    const received = messages.flatMap((message) => (message.order ? [message.order.status] : []));
    if (received.length === 0) continue;
    // A connection is owed every status from its snapshot's on, up to the last it got (the kill may
    // cut it there; the next connection's snapshot takes over).
    const places = received.map((status) => expected.indexOf(status));
    const missed = places.some((place) => place < 0) ? ['a status the events do not report'] : missedStatuses(messages, expected, Math.max(...places));
    if (missed.length > 0) return `connection ${String(index + 1)} showed ${statusChanges(keptViews(messages)).join(',')} and missed ${missed.join(',')}; events say ${expected.join(',')}`;
  }
  return '';
}
