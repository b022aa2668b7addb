import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The one client for the orders API: the integration (local) and e2e (deployed) suites, the reliability suite and the benchmarks. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class OrdersApi {
  private agent: HttpAgent | undefined;

  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; apiKey?: string | null } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.apiKey === undefined ? this.apiKey : options.apiKey;
    if (key !== null) headers['x-api-key'] = key;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON: the assertion on the body will say so.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /**
   * Polls GET /orders/{id} until the order is COMPLETED or FAILED, failing at the deadline with the
   * last state seen. Backs off from 50 to 500 ms, or polls every `pollMs` when a caller times the wait.
   */
  async waitForTerminal(orderId: string, deadlineMs = 30_000, pollMs?: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + deadlineMs;
    let last: ApiResponse | undefined;
    let delay = pollMs ?? 50;
    while (Date.now() < deadline) {
      last = await this.request('GET', `/orders/${orderId}`);
      const status = last.body.status;
      if (last.status !== 200) throw new Error(`GET /orders/${orderId} answered ${String(last.status)}: ${JSON.stringify(last.body)}`);
      if (status === 'COMPLETED' || status === 'FAILED') return last.body;
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (pollMs === undefined) delay = Math.min(delay * 2, 500);
    }
    throw new Error(`Order ${orderId} not terminal after ${String(deadlineMs)} ms; last seen: ${JSON.stringify(last?.body)}`);
  }

  /**
   * POST /orders with a ready JSON body; resolves with the order id of the 202. The benchmarks' load
   * path: node:http on a keep-alive agent rather than fetch, because the client shares the cores
   * with the runtime it measures and fetch took about 3× the CPU per request (measured on Node 24).
   */
  placeOrder(body: string): Promise<string> {
    const url = new URL(`${this.baseUrl}/orders`);
    const secure = url.protocol === 'https:';
    this.agent ??= secure ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 });
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 202) reject(new Error(`POST /orders answered ${String(response.statusCode)}: ${text}`));
          else resolve((JSON.parse(text) as { orderId: string }).orderId);
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Closes placeOrder's kept-alive connections. */
  close(): void {
    this.agent?.destroy();
  }
}
