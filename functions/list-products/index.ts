import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiSettingsFromEnv } from '#api/endpoint';
import { withPowertools } from '#platform/powertools';
import { listProducts } from './list-products';

const dependencies = { api: apiSettingsFromEnv() };

// No AWS calls here, so no Tracer: Lambda's active tracing still records the invocation, and init halves.
/** GET /products. Thin: the endpoint lives beside it in list-products.ts. */
export const handler = withPowertools(() => ({}), (event: APIGatewayProxyEvent) => listProducts(dependencies, event));
