import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { FORBIDDEN, callerKeyId, json } from '../shared/http';
import { CATALOG } from '../shared/orders/catalog';
import { withPowertools } from '../shared/powertools';

/** GET /products: the catalog, so clients can build valid orders. Prices in minor units. */
export function listProducts(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (!callerKeyId(event)) return Promise.resolve(FORBIDDEN);
  const products = CATALOG.map(({ sku, name, unitPrice, currency, maxQuantity }) => ({ sku, name, unitPrice, currency, maxQuantity }));
  return Promise.resolve(json(200, { products }, { 'Cache-Control': 'max-age=60' }));
}

// No AWS calls here, so no Tracer: Lambda's active tracing still records the invocation, and init halves.
export const handler = withPowertools(() => ({}), listProducts);
