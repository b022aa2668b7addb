import { CATALOG } from '#domain/catalog';
import { handler } from '../../../functions/list-products/index';
import { apiEvent, lambdaContext, parseResponse } from '../helpers/api';

describe('GET /products (list-products handler)', () => {
  it('returns 200 with every catalog product, prices in minor units, cacheable for a minute', async () => {
    const response = parseResponse(await handler(apiEvent({ path: '/products' }), lambdaContext('list-products')));

    expect(response.statusCode).toBe(200);
    expect(response.headers['Cache-Control']).toBe('max-age=60');
    expect(response.body).toEqual({
      products: CATALOG.map(({ sku, name, unitPrice, currency, maxQuantity }) => ({ sku, name, unitPrice, currency, maxQuantity })),
    });
    expect(response.body.products).toContainEqual({
      sku: 'MUG-CERAMIC',
      name: 'Ceramic mug, 350 ml',
      unitPrice: 1250,
      currency: 'USD',
      maxQuantity: 20,
    });
  });

  it('returns 403 when the request carries no API key id', async () => {
    const response = parseResponse(await handler(apiEvent({ path: '/products', apiKeyId: null }), lambdaContext('list-products')));

    expect(response.statusCode).toBe(403);
  });
});
