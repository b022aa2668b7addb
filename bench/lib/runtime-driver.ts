import type { OrderRequest } from '#domain/order-request';
import type { OrdersClient } from '#client';
import { nodeHttpFetch } from '../../tests/support/node-http-fetch';
import { apiClient } from '../../tests/support/runtime-clients';
import { Completions } from './completions';
import type { OrderDriver } from './load';

/** Orders through the runtime's API; completions from its `execution <name> SUCCEEDED|FAILED` lines, which cost the runtime nothing extra. */
export class RuntimeDriver implements OrderDriver {
  private readonly api: OrdersClient;
  private readonly transport = nodeHttpFetch();
  private readonly completions = new Completions();
  private partial = '';
  constructor(
    runtime: { apiUrl: string; apiKey: string },
    /** The order place() sends. */
    private readonly request: OrderRequest,
  ) {
    // The SDK on node:http: the load path shares the cores with the runtime it measures.
    this.api = apiClient(runtime.apiUrl, runtime.apiKey, { fetch: this.transport.fetch });
  }

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
    return this.placeWith(this.request);
  }

  /** POST /orders (with the SDK's Idempotency-Key); resolves with the order id of the 202. */
  async placeWith(request: OrderRequest): Promise<string> {
    return (await this.api.placeOrder(request)).orderId;
  }

  completion(orderId: string): Promise<string> {
    return this.completions.wait(orderId);
  }

  close(): void {
    this.transport.close();
  }
}
