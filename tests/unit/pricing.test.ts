import fc from 'fast-check';
import { CATALOG, FREE_SHIPPING_THRESHOLD, SHIPPING_FEE } from '#domain/catalog';
import { OrderNotSellable, priceOrder } from '#domain/pricing';

/** The OrderNotSellable error priceOrder throws for these items (fails the test if it does not throw one). */
function notSellable(items: { sku: string; quantity: number }[]): OrderNotSellable {
  try {
    priceOrder({ items });
  } catch (error) {
    if (error instanceof OrderNotSellable) return error;
    throw error;
  }
  throw new Error('priceOrder accepted an order that should not be sellable');
}

describe('priceOrder', () => {
  it('prices every line from the catalog in integer minor units', () => {
    const priced = priceOrder({
      items: [
        { sku: 'TSHIRT-BLK-M', quantity: 2 },
        { sku: 'STICKER-PACK', quantity: 3 },
      ],
    });

    expect(priced.currency).toBe('USD');
    expect(priced.lines).toEqual([
      {
        sku: 'TSHIRT-BLK-M',
        name: 'Logo T-shirt, black, M',
        quantity: 2,
        unitPrice: { amount: 2000, currency: 'USD' },
        lineTotal: { amount: 4000, currency: 'USD' },
      },
      {
        sku: 'STICKER-PACK',
        name: 'Sticker pack (10)',
        quantity: 3,
        unitPrice: { amount: 499, currency: 'USD' },
        lineTotal: { amount: 1497, currency: 'USD' },
      },
    ]);
    expect(priced.totals).toEqual({
      subtotal: { amount: 5497, currency: 'USD' },
      shipping: { amount: SHIPPING_FEE, currency: 'USD' },
      total: { amount: 5497 + SHIPPING_FEE, currency: 'USD' },
    });
  });

  it('charges the flat shipping fee below the free-shipping threshold', () => {
    const priced = priceOrder({ items: [{ sku: 'STICKER-PACK', quantity: 20 }] }); // 20 × 499 = 9980

    expect(priced.totals.subtotal.amount).toBe(9980);
    expect(priced.totals.shipping).toEqual({ amount: SHIPPING_FEE, currency: 'USD' });
    expect(priced.totals.total.amount).toBe(9980 + SHIPPING_FEE);
  });

  it('ships free above the free-shipping threshold', () => {
    const priced = priceOrder({ items: [{ sku: 'HOODIE-GRY-L', quantity: 2 }] }); // 2 × 5499 = 10998

    expect(priced.totals.shipping.amount).toBe(0);
    expect(priced.totals.total.amount).toBe(10998);
  });

  it('ships free when the subtotal is exactly the free-shipping threshold', () => {
    const priced = priceOrder({ items: [{ sku: 'TSHIRT-WHT-L', quantity: 5 }] }); // 5 × 2000 = 10000

    expect(priced.totals.subtotal.amount).toBe(FREE_SHIPPING_THRESHOLD);
    expect(priced.totals.shipping).toEqual({ amount: 0, currency: 'USD' });
    expect(priced.totals.total.amount).toBe(FREE_SHIPPING_THRESHOLD);
  });

  it('rejects an unknown SKU as OrderNotSellable naming items.N.sku', () => {
    const error = notSellable([
      { sku: 'MUG-CERAMIC', quantity: 1 },
      { sku: 'GOLD-BAR', quantity: 1 },
    ]);

    expect(error.name).toBe('OrderNotSellable');
    expect(error.errors).toEqual([{ path: 'items.1.sku', message: expect.stringContaining('Unknown SKU') as unknown }]);
  });

  it('rejects a quantity over the SKU limit as OrderNotSellable naming items.N.quantity', () => {
    const hoodie = CATALOG.find((product) => product.sku === 'HOODIE-GRY-L');
    expect(hoodie?.maxQuantity).toBe(5);

    const error = notSellable([{ sku: 'HOODIE-GRY-L', quantity: 6 }]);

    expect(error.errors).toEqual([{ path: 'items.0.quantity', message: 'At most 5 units of this SKU per order' }]);
  });

  it('accepts exactly the SKU limit', () => {
    expect(priceOrder({ items: [{ sku: 'HOODIE-GRY-L', quantity: 5 }] }).lines[0]?.lineTotal.amount).toBe(5 * 5499);
  });

  it('reports every unsellable line at once, not just the first', () => {
    const error = notSellable([
      { sku: 'NOPE-1', quantity: 1 },
      { sku: 'MUG-CERAMIC', quantity: 21 },
      { sku: 'TSHIRT-BLK-M', quantity: 1 },
      { sku: 'NOPE-2', quantity: 1 },
    ]);

    expect(error.errors.map((problem) => problem.path)).toEqual(['items.0.sku', 'items.1.quantity', 'items.3.sku']);
  });

  it('never trusts a client-side price smuggled onto an item', () => {
    const items = [{ sku: 'MUG-CERAMIC', quantity: 1, unitPrice: 1 }];
    expect(priceOrder({ items }).totals.subtotal.amount).toBe(1250);
  });

  describe('properties', () => {
    /** Any order the catalog can fill: distinct SKUs, each within its limit. */
    const sellableItems = fc
      .subarray([...CATALOG], { minLength: 1 })
      .chain((products) =>
        fc.tuple(...products.map((product) => fc.integer({ min: 1, max: product.maxQuantity }).map((quantity) => ({ sku: product.sku, quantity })))),
      );

    it('totals are sum(lines) + shipping, all safe integers, with shipping decided by the threshold', () => {
      fc.assert(
        fc.property(sellableItems, (items) => {
          const { lines, totals } = priceOrder({ items });
          const sumOfLines = lines.reduce((sum, line) => sum + line.lineTotal.amount, 0);

          expect(lines).toHaveLength(items.length);
          for (const line of lines) {
            expect(Number.isSafeInteger(line.unitPrice.amount)).toBe(true);
            expect(line.lineTotal.amount).toBe(line.unitPrice.amount * line.quantity);
          }
          expect(totals.subtotal.amount).toBe(sumOfLines);
          expect(totals.shipping.amount).toBe(sumOfLines >= FREE_SHIPPING_THRESHOLD ? 0 : SHIPPING_FEE);
          expect(totals.total.amount).toBe(sumOfLines + totals.shipping.amount);
          for (const money of [totals.subtotal, totals.shipping, totals.total]) {
            expect(Number.isSafeInteger(money.amount)).toBe(true);
            expect(money.amount).toBeGreaterThanOrEqual(0);
            expect(money.currency).toBe('USD');
          }
        }),
      );
    });

    it('any SKU outside the catalog is refused with its own items.N.sku path', () => {
      const unknownSku = fc.stringMatching(/^[A-Z0-9-]{1,20}$/).filter((sku) => !CATALOG.some((product) => product.sku === sku));
      fc.assert(
        fc.property(sellableItems, unknownSku, fc.nat(), (items, sku, position) => {
          const index = position % (items.length + 1);
          const withUnknown = [...items.slice(0, index), { sku, quantity: 1 }, ...items.slice(index)];

          expect(notSellable(withUnknown).errors).toEqual([{ path: `items.${index}.sku`, message: expect.any(String) as unknown }]);
        }),
      );
    });
  });
});
