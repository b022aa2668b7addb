export interface StoredReceipt {
  htmlKey: string;
}

/** Port for receipt storage. */
export interface ReceiptStore {
  /** Writes an order's HTML receipt (one object; the JSON form is rendered from the order on demand). Rewriting it is harmless. */
  save(orderId: string, html: string): Promise<StoredReceipt>;
}

/** Port for links to stored receipts (apart from storage: presigning needs no storage client). */
export interface ReceiptLinkSigner {
  /** A time-limited GET link to a stored receipt object. */
  linkTo(key: string, expiresInSeconds: number): Promise<string>;
}
