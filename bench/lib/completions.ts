/** Execution outcomes by order id, whether the outcome or the one waiting for it comes first. */
export class Completions {
  private readonly waiting = new Map<string, (status: string) => void>();
  private readonly ended = new Map<string, string>();

  /** Records how an order's execution ended. */
  settle(orderId: string, status: string): void {
    const waiter = this.waiting.get(orderId);
    if (waiter) {
      this.waiting.delete(orderId);
      waiter(status);
    } else this.ended.set(orderId, status);
  }

  /** Resolves with the status the order's execution ended with. */
  wait(orderId: string): Promise<string> {
    const status = this.ended.get(orderId);
    if (status !== undefined) {
      this.ended.delete(orderId);
      return Promise.resolve(status);
    }
    return new Promise((resolve) => this.waiting.set(orderId, resolve));
  }
}
