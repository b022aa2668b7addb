import type { OrderRecord } from '#domain/order';
import { type ReceiptJson, buildReceiptJson } from '#domain/receipt';
import type { ReceiptLinkSigner } from '#ports/receipt-store';

export interface ReceiptLinksDependencies {
  receipts: ReceiptLinkSigner;
  linkTtlSeconds: number;
  now: () => Date;
}

/** A short-lived link to the order's HTML receipt, and the same receipt as JSON. */
export interface ReceiptLinks {
  orderId: string;
  url: string;
  contentType: 'text/html';
  expiresAt: string;
  /** The receipt as data, rendered from the order with the instant the HTML receipt was issued. */
  document: ReceiptJson;
}

/** The order has no receipt to link to, yet or ever: HTTP 409. */
export class ReceiptNotAvailable extends Error {
  override name = 'ReceiptNotAvailable';
}

/** Presigns a link to the order's stored receipt; throws ReceiptNotAvailable until it exists, or when generating it failed. */
export async function receiptLinks(deps: ReceiptLinksDependencies, order: OrderRecord): Promise<ReceiptLinks> {
  const receipt = order.receipt;
  if (receipt?.status !== 'AVAILABLE' || !receipt.htmlKey) {
    throw new ReceiptNotAvailable(
      receipt?.status === 'FAILED'
        ? 'The receipt could not be generated; our team has been alerted'
        : `The receipt is not available yet (order status ${order.status})`,
    );
  }
  const url = await deps.receipts.linkTo(receipt.htmlKey, deps.linkTtlSeconds);
  const expiresAt = new Date(deps.now().getTime() + deps.linkTtlSeconds * 1000).toISOString();
  // A receipt from before issuedAt was recorded was issued when its step finished.
  const issuedAt = receipt.issuedAt ?? order.steps['Generate Receipt'].finishedAt ?? order.updatedAt;
  return { orderId: order.orderId, url, contentType: 'text/html', expiresAt, document: buildReceiptJson(order, new Date(issuedAt)) };
}
