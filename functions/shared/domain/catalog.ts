/** A product the store sells. Prices are server-side truth, in minor units. */
export interface Product {
  sku: string;
  name: string;
  unitPrice: number;
  currency: string;
  /** Most units of this SKU one order may contain. */
  maxQuantity: number;
}

/** The store's catalog. Clients never send prices; every order is priced from this list. */
export const CATALOG: readonly Product[] = [
  { sku: 'TSHIRT-BLK-M', name: 'Logo T-shirt, black, M', unitPrice: 2000, currency: 'USD', maxQuantity: 10 },
  { sku: 'TSHIRT-WHT-L', name: 'Logo T-shirt, white, L', unitPrice: 2000, currency: 'USD', maxQuantity: 10 },
  { sku: 'MUG-CERAMIC', name: 'Ceramic mug, 350 ml', unitPrice: 1250, currency: 'USD', maxQuantity: 20 },
  { sku: 'STICKER-PACK', name: 'Sticker pack (10)', unitPrice: 499, currency: 'USD', maxQuantity: 50 },
  { sku: 'HOODIE-GRY-L', name: 'Zip hoodie, grey, L', unitPrice: 5499, currency: 'USD', maxQuantity: 5 },
  { sku: 'BOTTLE-STEEL', name: 'Steel water bottle, 750 ml', unitPrice: 2999, currency: 'USD', maxQuantity: 10 },
];

const BY_SKU = new Map(CATALOG.map((product) => [product.sku, product]));

/** Looks a product up by SKU. */
export function findProduct(sku: string): Product | undefined {
  return BY_SKU.get(sku);
}

/** The currency every catalog price is in. */
export const STORE_CURRENCY = 'USD';
/** Orders with a subtotal at or above this ship free. */
export const FREE_SHIPPING_THRESHOLD = 10000;
/** Flat shipping fee below the threshold. */
export const SHIPPING_FEE = 599;
