/** Business counts, as a port so use cases stay free of Powertools and tests can record them. */
export interface BusinessMetrics {
  orderCreated(): void;
  orderCompleted(): void;
  orderFailed(reason: string): void;
  paymentDeclined(): void;
  receiptFailed(): void;
}
