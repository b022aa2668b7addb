import type { OrderRecord } from '#domain/order';
import type { ReceiptLinkSigner } from '#ports/receipt-store';

export interface ReceiptLinksDependencies {
  receipts: ReceiptLinkSigner;
  linkTtlSeconds: number;
  now: () => Date;
}

/** Short-lived links to both forms of an order's receipt. */
export interface ReceiptLinks {
  orderId: string;
  url: string;
  jsonUrl: string;
  contentType: 'text/html';
  expiresAt: string;
}

/** The order has no receipt to link to, yet or ever: HTTP 409. */
export class ReceiptNotAvailable extends Error {
  override name = 'ReceiptNotAvailable';
}

/** Presigns links to the order's stored receipt; throws ReceiptNotAvailable until it exists, or when generating it failed. */
export async function receiptLinks(deps: ReceiptLinksDependencies, order: OrderRecord): Promise<ReceiptLinks> {
  const receipt = order.receipt;
  if (receipt?.status !== 'AVAILABLE' || !receipt.htmlKey || !receipt.jsonKey) {
    throw new ReceiptNotAvailable(
      receipt?.status === 'FAILED'
        ? 'The receipt could not be generated; our team has been alerted'
        : `The receipt is not available yet (order status ${order.status})`,
    );
  }
  const [url, jsonUrl] = await Promise.all([
    deps.receipts.linkTo(receipt.htmlKey, deps.linkTtlSeconds),
    deps.receipts.linkTo(receipt.jsonKey, deps.linkTtlSeconds),
  ]);
  const expiresAt = new Date(deps.now().getTime() + deps.linkTtlSeconds * 1000).toISOString();
  return { orderId: order.orderId, url, jsonUrl, contentType: 'text/html', expiresAt };
}
