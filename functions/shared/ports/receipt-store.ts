export interface StoredReceipt {
  htmlKey: string;
  jsonKey: string;
}

/** Port for receipt storage. */
export interface ReceiptStore {
  /** Writes both forms of an order's receipt; rewriting the same order is harmless. */
  save(orderId: string, html: string, json: string): Promise<StoredReceipt>;
}

/** Port for links to stored receipts (apart from storage: presigning needs no storage client). */
export interface ReceiptLinkSigner {
  /** A time-limited GET link to a stored receipt object. */
  linkTo(key: string, expiresInSeconds: number): Promise<string>;
}
