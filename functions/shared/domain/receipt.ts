import type { OrderRecord } from './order';

/*
 * The receipt's content, rendered from the order: Generate Receipt renders it as the HTML it stores,
 * and GET /orders/{id}/receipt returns it as JSON on demand, so one S3 object is stored per order.
 */

/** The machine-readable receipt. */
export interface ReceiptJson {
  receiptVersion: 1;
  orderId: string;
  customerId: string;
  issuedAt: string;
  currency: string;
  lines: { sku: string; name: string; quantity: number; unitPrice: number; lineTotal: number }[];
  totals: { subtotal: number; shipping: number; total: number };
  payment: { authorizationId: string | null; captureId: string | null };
  shipment: { carrier: string | null; trackingNumber: string | null };
  shipTo: { name: string; city: string; country: string };
}

/** Builds the JSON receipt. Ship-to carries name, city and country only. */
export function buildReceiptJson(order: OrderRecord, issuedAt: Date): ReceiptJson {
  return {
    receiptVersion: 1,
    orderId: order.orderId,
    customerId: order.customerId,
    issuedAt: issuedAt.toISOString(),
    currency: order.currency,
    lines: order.lines.map((line) => ({
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice.amount,
      lineTotal: line.lineTotal.amount,
    })),
    totals: { subtotal: order.totals.subtotal.amount, shipping: order.totals.shipping.amount, total: order.totals.total.amount },
    payment: { authorizationId: order.payment?.authorizationId ?? null, captureId: order.payment?.captureId ?? null },
    shipment: { carrier: order.shipment?.carrier ?? null, trackingNumber: order.shipment?.trackingNumber ?? null },
    shipTo: { name: order.shippingAddress.name, city: order.shippingAddress.city, country: order.shippingAddress.country },
  };
}
