import { formatMoney } from '#domain/money';
import type { ReceiptJson } from '#domain/receipt';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML; customer-supplied names and addresses pass through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** Renders a self-contained HTML receipt (no scripts, no external assets). */
export function renderReceiptHtml(receipt: ReceiptJson): string {
  const money = (amount: number) => escapeHtml(formatMoney({ amount, currency: receipt.currency }));
  const rows = receipt.lines
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.name)}<div class="sku">${escapeHtml(line.sku)}</div></td>` +
        `<td class="num">${line.quantity}</td><td class="num">${money(line.unitPrice)}</td><td class="num">${money(line.lineTotal)}</td></tr>`,
    )
    .join('\n');
  const issued = new Date(receipt.issuedAt).toUTCString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Receipt ${escapeHtml(receipt.orderId)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.5rem;margin-bottom:.25rem}.muted{color:#6b7280;font-size:.9rem}
table{width:100%;border-collapse:collapse;margin:1.5rem 0}th,td{padding:.5rem;border-bottom:1px solid #e5e7eb;text-align:left}
.num{text-align:right;white-space:nowrap}.sku{color:#6b7280;font-size:.8rem}tfoot td{border:none}.total td{font-weight:700;font-size:1.1rem}
</style>
</head>
<body>
<h1>Thank you for your order</h1>
<p class="muted">Order <strong>${escapeHtml(receipt.orderId)}</strong> &middot; issued ${escapeHtml(issued)}</p>
<table>
<thead><tr><th>Item</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot>
<tr><td colspan="3" class="num">Subtotal</td><td class="num">${money(receipt.totals.subtotal)}</td></tr>
<tr><td colspan="3" class="num">Shipping</td><td class="num">${money(receipt.totals.shipping)}</td></tr>
<tr class="total"><td colspan="3" class="num">Total paid</td><td class="num">${money(receipt.totals.total)}</td></tr>
</tfoot>
</table>
<h2>Shipping</h2>
<p>${escapeHtml(receipt.shipTo.name)}, ${escapeHtml(receipt.shipTo.city)}, ${escapeHtml(receipt.shipTo.country)}<br>
${escapeHtml(receipt.shipment.carrier ?? 'Carrier pending')} &middot; tracking <strong>${escapeHtml(receipt.shipment.trackingNumber ?? 'pending')}</strong></p>
<p class="muted">Payment reference ${escapeHtml(receipt.payment.captureId ?? '')}</p>
</body>
</html>
`;
}
