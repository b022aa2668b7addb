import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

/** A message pushed on an order-updates connection (functions/shared/api/order-updates.ts). */
export interface PushedMessage {
  type: string;
  /** 'snapshot' answers the client's snapshot request, 'change' is pushed after a write. */
  reason?: string;
  order?: { orderId: string; status: string; updatedAt: string };
  message?: string;
}

/**
 * A subscriber on Node's global WebSocket (the browser API): every message it receives, in order,
 * with waits that have deadlines.
 */
export class UpdatesSubscriber {
  readonly messages: PushedMessage[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number }>;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => {
        resolve();
      });
      this.socket.addEventListener('error', () => {
        reject(new Error(`WebSocket to ${url.replace(/ticket=[^&]+/, 'ticket=…')} failed to open`));
      });
    });
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener('close', (event) => {
        resolve({ code: event.code });
        this.wake();
      });
    });
    this.socket.addEventListener('message', (event) => {
      this.messages.push(JSON.parse(String(event.data)) as PushedMessage);
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Waits until at least `count` messages arrived; fails at the deadline with what did. */
  async waitForMessages(count: number, deadlineMs = 15_000): Promise<PushedMessage[]> {
    await this.waitUntil(() => this.messages.length >= count, `${String(count)} messages`, deadlineMs);
    return this.messages;
  }

  /** Waits for the answer to the snapshot request (pushes may arrive before it); fails at the deadline with what did arrive. */
  async waitForSnapshot(deadlineMs = 15_000): Promise<PushedMessage> {
    const answer = () => this.messages.find((message) => message.reason === 'snapshot');
    await this.waitUntil(() => answer() !== undefined, 'the snapshot', deadlineMs);
    return answer() as PushedMessage;
  }

  private async waitUntil(done: () => boolean, what: string, deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!done()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`Expected ${what} within ${String(deadlineMs)} ms, got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the close, failing at the deadline. */
  async waitForClose(deadlineMs = 15_000): Promise<{ code: number }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`Connection not closed within ${String(deadlineMs)} ms`));
      }, deadlineMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The HTTP status a WebSocket upgrade to `url` gets: 101 when accepted, else the refusal (401, 403,
 * 421…), which the browser WebSocket API does not expose.
 */
export function upgradeStatus(url: string, headers: Record<string, string> = {}, deadlineMs = 15_000): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      timeout: deadlineMs,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers },
    });
    req.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('timeout', () => {
      req.destroy(new Error(`No answer to the upgrade within ${String(deadlineMs)} ms`));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The views a client keeps, as docs/realtime-updates.md tells it to: a message whose order is not
 * newer (by updatedAt) than the last kept is dropped, so a duplicate or a stale view never shows.
 */
export function keptViews(messages: readonly PushedMessage[]): { status: string; updatedAt: string }[] {
  const kept: { status: string; updatedAt: string }[] = [];
  for (const message of messages) {
    const order = message.order;
    if (!order) continue;
    const last = kept.at(-1);
    if (!last || order.updatedAt > last.updatedAt) kept.push({ status: order.status, updatedAt: order.updatedAt });
  }
  return kept;
}

/** The statuses a client showed, one per status change (a retried attempt's view repeats its status). */
export function statusChanges(views: readonly { status: string }[]): string[] {
  return views.map((view) => view.status).filter((status, index, all) => index === 0 || all[index - 1] !== status);
}

/**
 * The statuses of `path` a connection is owed but did not receive. It is owed every status from its
 * snapshot's on (a change written after the snapshot read is pushed to it, and the server closes it
 * only after a terminal view); what came before the snapshot is covered by it, so a push missed then
 * (the connection was still in its handshake, or a terminal snapshot closed it before the change
 * feed's pushes arrived) is not a loss. Without a snapshot answer (a terminal push closed the
 * connection first), it is owed every status from its first message on. `through` is the last
 * status it is owed (default: the end of the path).
 */
export function missedStatuses(messages: readonly PushedMessage[], path: readonly string[], through = path.length - 1): string[] {
  const received = new Set(messages.flatMap((message) => (message.order ? [message.order.status] : [])));
  const joined = messages.find((message) => message.reason === 'snapshot' && message.order) ?? messages.find((message) => message.order);
  const from = path.indexOf(joined?.order?.status ?? '');
  if (from < 0) return joined ? [`${joined.order?.status ?? '?'} (not on the path ${path.join(',')})`] : [...path];
  return path.slice(from, through + 1).filter((status) => !received.has(status));
}
