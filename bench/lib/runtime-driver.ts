import { OrdersApi } from '../../tests/support/api-client';
import { Completions } from './completions';
import type { OrderDriver } from './load';

/** Orders through the runtime's API; completions from its `execution <name> SUCCEEDED|FAILED` lines, which cost the runtime nothing extra. */
export class RuntimeDriver implements OrderDriver {
  private readonly api: OrdersApi;
  private readonly completions = new Completions();
  private partial = '';
  constructor(
    runtime: { apiUrl: string; apiKey: string },
    /** The POST body place() sends. */
    private readonly body: string,
  ) {
    this.api = new OrdersApi(runtime.apiUrl, runtime.apiKey);
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
    return this.placeWith(this.body);
  }

  /** POST /orders with this body; resolves with the order id of the 202. */
  placeWith(body: string): Promise<string> {
    return this.api.placeOrder(body);
  }

  completion(orderId: string): Promise<string> {
    return this.completions.wait(orderId);
  }

  close(): void {
    this.api.close();
  }
}
