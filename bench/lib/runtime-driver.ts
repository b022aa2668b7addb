import { Agent, request } from 'node:http';
import { Completions } from './completions';
import type { OrderDriver } from './load';

/** Orders through the runtime's API; completions from its `execution <name> SUCCEEDED|FAILED` lines, which cost the runtime nothing extra. */
export class RuntimeDriver implements OrderDriver {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly completions = new Completions();
  private partial = '';
  constructor(
    private readonly runtime: { apiUrl: string; apiKey: string },
    /** The POST body place() sends. */
    private readonly body: string,
  ) {}

  /** Feed it the runtime's output. */
  onOutput(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^\[local\] execution (\S+) (SUCCEEDED|FAILED|TIMED_OUT|ABORTED)/.exec(line);
      if (match?.[1] && match[2]) this.completions.settle(match[1], match[2]);
    }
  }

  place(): Promise<string> {
    return this.placeWith(this.body);
  }

  /** POST /orders with this body; resolves with the order id of the 202. */
  placeWith(body: string): Promise<string> {
    const url = new URL(`${this.runtime.apiUrl}/orders`);
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'x-api-key': this.runtime.apiKey } }, (response) => {
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

  completion(orderId: string): Promise<string> {
    return this.completions.wait(orderId);
  }

  close(): void {
    this.agent.destroy();
  }
}

