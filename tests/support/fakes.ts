import type { BusinessMetrics } from '#ports/business-metrics';
import type { ReceiptStore, StoredReceipt } from '#ports/receipt-store';

/** Business metrics that count calls, by metric and reason. */
export class RecordingMetrics implements BusinessMetrics {
  readonly counts = new Map<string, number>();
  private bump(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  orderCreated(): void {
    this.bump('OrdersCreated');
  }
  orderCompleted(): void {
    this.bump('OrdersCompleted');
  }
  orderFailed(reason: string): void {
    this.bump(`OrdersFailed:${reason}`);
  }
  paymentDeclined(): void {
    this.bump('PaymentsDeclined');
  }
  receiptFailed(): void {
    this.bump('ReceiptsFailed');
  }
}

/** Receipts kept in memory; `failWith` makes every save throw that error. */
export class MemoryReceiptStore implements ReceiptStore {
  readonly objects = new Map<string, string>();
  failWith: Error | undefined;

  save(orderId: string, html: string): Promise<StoredReceipt> {
    if (this.failWith) return Promise.reject(this.failWith);
    const stored = { htmlKey: `receipts/${orderId}/receipt.html` };
    this.objects.set(stored.htmlKey, html);
    return Promise.resolve(stored);
  }

  linkTo(key: string, expiresInSeconds: number): Promise<string> {
    return Promise.resolve(`memory://${key}?expires=${expiresInSeconds}`);
  }
}

/** An error shaped like an AWS SDK service error with the given HTTP status. */
export function awsServiceError(name: string, httpStatusCode: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode }, $fault: httpStatusCode >= 500 ? 'server' : 'client' });
}
