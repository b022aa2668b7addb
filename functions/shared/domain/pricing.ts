import { type Money, sumMoney } from './money';
import { FREE_SHIPPING_THRESHOLD, SHIPPING_FEE, STORE_CURRENCY, findProduct } from './catalog';
import type { FieldError, OrderRequest } from './order-request';

/** One priced order line. */
export interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

/** Order totals in minor units. */
export interface OrderTotals {
  subtotal: Money;
  shipping: Money;
  total: Money;
}

export interface PricedOrder {
  currency: string;
  lines: OrderLine[];
  totals: OrderTotals;
}

/** The order is well-formed but cannot be sold as asked (unknown SKU, over the limit): HTTP 422. */
export class OrderNotSellable extends Error {
  override name = 'OrderNotSellable';
  constructor(readonly errors: FieldError[]) {
    super('The order cannot be fulfilled as requested');
  }
}

/** Prices every line from the catalog; client-side prices are never consulted. */
export function priceOrder(request: Pick<OrderRequest, 'items'>): PricedOrder {
  const errors: FieldError[] = [];
  const lines: OrderLine[] = [];
  request.items.forEach((item, index) => {
    const product = findProduct(item.sku);
    if (!product) {
      errors.push({ path: `items.${index}.sku`, message: 'Unknown SKU; see GET /products' });
      return;
    }
    if (item.quantity > product.maxQuantity) {
      errors.push({ path: `items.${index}.quantity`, message: `At most ${product.maxQuantity} units of this SKU per order` });
      return;
    }
    if (product.currency !== STORE_CURRENCY) {
      errors.push({ path: `items.${index}.sku`, message: `This SKU is not sold in ${STORE_CURRENCY}` });
      return;
    }
    lines.push({
      sku: product.sku,
      name: product.name,
      quantity: item.quantity,
      unitPrice: { amount: product.unitPrice, currency: product.currency },
      lineTotal: { amount: product.unitPrice * item.quantity, currency: product.currency },
    });
  });
  if (errors.length > 0) throw new OrderNotSellable(errors);

  const subtotal = sumMoney(STORE_CURRENCY, lines.map((line) => line.lineTotal));
  const shipping: Money = { amount: subtotal.amount >= FREE_SHIPPING_THRESHOLD ? 0 : SHIPPING_FEE, currency: STORE_CURRENCY };
  return { currency: STORE_CURRENCY, lines, totals: { subtotal, shipping, total: sumMoney(STORE_CURRENCY, [subtotal, shipping]) } };
}
