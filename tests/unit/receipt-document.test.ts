import fc from 'fast-check';
import { formatMoney } from '#domain/money';
import type { OrderRecord } from '#domain/order';
import { escapeHtml, renderReceiptHtml } from '../../functions/generate-receipt/receipt-document';
import { buildReceiptJson } from '#domain/receipt';
import { orderRecord, orderRequest } from '../support/orders';

const ISSUED_AT = new Date('2026-11-25T10:05:00.000Z');

/** A completed order with one line at $12.99, shipped and captured. */
function completedOrder(overrides: Partial<OrderRecord> = {}): OrderRecord {
  const usd = (amount: number) => ({ amount, currency: 'USD' });
  return orderRecord(orderRequest(), {
    status: 'COMPLETED',
    lines: [{ sku: 'POSTER-A2', name: 'Poster, A2', quantity: 1, unitPrice: usd(1299), lineTotal: usd(1299) }],
    totals: { subtotal: usd(1299), shipping: usd(599), total: usd(1898) },
    payment: { authorizationId: 'auth_1', captureId: 'cap_123', status: 'CAPTURED', amount: usd(1898) },
    shipment: { shipmentId: 'shp_1', carrier: 'SimPost Ground', trackingNumber: 'SP0123456789012345', status: 'CREATED' },
    ...overrides,
  });
}

function renderFor(order: OrderRecord): string {
  return renderReceiptHtml(buildReceiptJson(order, ISSUED_AT));
}

describe('formatMoney', () => {
  it.each([
    [1299, 'USD', '$12.99'],
    [0, 'USD', '$0.00'],
    [5, 'USD', '$0.05'],
    [123456, 'USD', '$1,234.56'],
    [500, 'JPY', '¥500'],
  ])('formats %d minor units of %s as %s', (amount, currency, expected) => {
    expect(formatMoney({ amount, currency })).toBe(expected);
  });
});

describe('receipt document', () => {
  it('HTML-escapes a customer name carrying a <script> tag so no script element is rendered', () => {
    const request = orderRequest();
    const html = renderFor(
      completedOrder({ shippingAddress: { ...request.shippingAddress, name: '<script>alert("pwned")</script>', city: "O'Fallon & Co" } }),
    );

    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('O&#39;Fallon &amp; Co');
  });

  it('formats unit prices and totals as money, e.g. $12.99', () => {
    const html = renderFor(completedOrder());

    expect(html).toMatch(/<td class="num">\$12\.99<\/td><td class="num">\$12\.99<\/td>/);
    expect(html).toMatch(/Subtotal<\/td><td class="num">\$12\.99</);
    expect(html).toMatch(/Shipping<\/td><td class="num">\$5\.99</);
    expect(html).toMatch(/Total paid<\/td><td class="num">\$18\.98</);
  });

  it('shows the carrier and tracking number', () => {
    const html = renderFor(completedOrder());

    expect(html).toContain('SimPost Ground');
    expect(html).toContain('tracking <strong>SP0123456789012345</strong>');
  });

  it('says the tracking number is pending when the order has no shipment yet', () => {
    const html = renderFor(completedOrder({ shipment: undefined }));

    expect(html).toContain('Carrier pending');
    expect(html).toContain('tracking <strong>pending</strong>');
  });

  it('builds the JSON receipt in minor units with the ship-to reduced to name, city and country', () => {
    const request = orderRequest({
      shippingAddress: { ...orderRequest().shippingAddress, line1: '7 Private Lane', line2: 'Flat 9', postalCode: 'PC-98765' },
    });
    const order = completedOrder({ shippingAddress: request.shippingAddress });
    const receipt = buildReceiptJson(order, ISSUED_AT);

    expect(receipt).toEqual({
      receiptVersion: 1,
      orderId: order.orderId,
      customerId: 'cust-1001',
      issuedAt: '2026-11-25T10:05:00.000Z',
      currency: 'USD',
      lines: [{ sku: 'POSTER-A2', name: 'Poster, A2', quantity: 1, unitPrice: 1299, lineTotal: 1299 }],
      totals: { subtotal: 1299, shipping: 599, total: 1898 },
      payment: { authorizationId: 'auth_1', captureId: 'cap_123' },
      shipment: { carrier: 'SimPost Ground', trackingNumber: 'SP0123456789012345' },
      shipTo: { name: 'Ada Lovelace', city: 'Springfield', country: 'US' },
    });
    const text = JSON.stringify(receipt) + renderReceiptHtml(receipt);
    expect(text).not.toContain('7 Private Lane');
    expect(text).not.toContain('Flat 9');
    expect(text).not.toContain('PC-98765');
    expect(text).not.toContain(order.paymentToken);
  });

  it('escapeHtml leaves no markup characters in any string and loses no information', () => {
    const unescape = (html: string) =>
      html.replace(/&(lt|gt|quot|#39|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[entity] ?? '');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped).not.toMatch(/&(?!(lt|gt|quot|#39|amp);)/);
        expect(unescape(escaped)).toBe(text);
      }),
    );
  });
});
