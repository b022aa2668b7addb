import { type ApiSettings, endpoint } from '#api/endpoint';
import { json } from '#api/http';
import { CATALOG, type Product } from '#domain/catalog';

/** The GET /products body. */
export interface ProductList {
  products: Product[];
}

/** GET /products: the catalog, so clients can build valid orders. Prices in minor units. */
export const listProducts = endpoint((_deps: { api: ApiSettings }) => {
  const body: ProductList = { products: CATALOG.map(({ sku, name, unitPrice, currency, maxQuantity }) => ({ sku, name, unitPrice, currency, maxQuantity })) };
  return Promise.resolve(json(200, body, { 'Cache-Control': 'max-age=60' }));
});
