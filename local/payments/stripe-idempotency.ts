import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Stripe's idempotency in front of stripe-mock, which has none (it is stateless: a repeated
 * create returns a new PaymentIntent). A POST with an Idempotency-Key gets the first response
 * again, with `Idempotent-Replayed: true`; the same key with other parameters gets Stripe's
 * `idempotency_error`; the same key while its first request is in flight gets 409
 * `idempotency_key_in_use`. 5xx answers are not kept, as Stripe keeps none.
 *
 * Every request is also appended to a journal (JSON lines) that the saga's invariants can be
 * checked against, and that restores the remembered keys when the runtime restarts, as Stripe
 * would remember them across our crashes.
 */

/** One line of the journal. */
export interface StripeJournalEntry {
  at: string;
  method: string;
  path: string;
  idempotencyKey?: string;
  /** SHA-256 of method, path and body: what "the same parameters" means. */
  requestHash: string;
  status: number;
  replayed: boolean;
  /** The `id` of the object answered (pi_…, pm_…), when there is one. */
  objectId?: string;
  /** The form parameters of a POST (local test data only: amounts, test payment methods, order ids). */
  params?: Record<string, string>;
  /** Kept for replays only; not for reading. */
  body: string;
}

export class StripeIdempotencyProxy {
  private server: Server | undefined;
  private readonly firstAnswers = new Map<string, StripeJournalEntry>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly upstream: string,
    private readonly journalPath: string,
  ) {
    if (existsSync(journalPath)) {
      for (const line of readFileSync(journalPath, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as StripeJournalEntry;
          if (entry.idempotencyKey && !entry.replayed && !this.firstAnswers.has(entry.idempotencyKey)) this.firstAnswers.set(entry.idempotencyKey, entry);
        } catch {
          // A line cut short by a killed runtime: its request got no answer either.
        }
      }
    }
  }

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ error: { type: 'api_error', message: `stripe-mock unreachable: ${String(error)}` } }));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const header = request.headers['idempotency-key'];
    const idempotencyKey = method === 'POST' && typeof header === 'string' && header !== '' ? header : undefined;
    const requestHash = createHash('sha256').update(`${method} ${path}\n${body}`).digest('hex');
    const send = (status: number, text: string, replayed: boolean) => {
      response.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': 'req_local', ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
      response.end(text);
    };

    if (idempotencyKey) {
      const first = this.firstAnswers.get(idempotencyKey);
      if (first) {
        if (first.requestHash !== requestHash) {
          const error = {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          };
          this.record({ method, path, idempotencyKey, requestHash, status: 400, replayed: false, body: '' });
          send(400, JSON.stringify({ error }), false);
          return;
        }
        this.record({ ...first, replayed: true });
        send(first.status, first.body, true);
        return;
      }
      if (this.inFlight.has(idempotencyKey)) {
        const error = { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'There is currently another in-progress request using this Idempotent Key.' };
        send(409, JSON.stringify({ error }), false);
        return;
      }
      this.inFlight.add(idempotencyKey);
    }
    try {
      const headers = Object.fromEntries(
        Object.entries(request.headers).flatMap(([name, value]) => (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name) ? [[name, value]] : [])),
      );
      const answer = await fetch(`${this.upstream}${path}`, { method, headers, ...(method === 'GET' || method === 'DELETE' ? {} : { body }) });
      const text = await answer.text();
      const entry = {
        method,
        path,
        requestHash,
        status: answer.status,
        replayed: false,
        body: text,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(method === 'POST' ? { params: Object.fromEntries(new URLSearchParams(body)) } : {}),
        ...objectIdOf(text),
      };
      this.record(entry);
      if (idempotencyKey && answer.status < 500) this.firstAnswers.set(idempotencyKey, { ...entry, at: new Date().toISOString() });
      send(answer.status, text, false);
    } finally {
      if (idempotencyKey) this.inFlight.delete(idempotencyKey);
    }
  }

  private record(entry: Omit<StripeJournalEntry, 'at'>): void {
    appendFileSync(this.journalPath, `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
  }
}

function objectIdOf(text: string): { objectId?: string } {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === 'string' ? { objectId: parsed.id } : {};
  } catch {
    return {};
  }
}

/** The journal's entries, for invariant checks: every request the functions made to Stripe, in order. */
export function readStripeJournal(path: string): StripeJournalEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (!line) return [];
      try {
        return [JSON.parse(line) as StripeJournalEntry];
      } catch {
        return [];
      }
    });
}
