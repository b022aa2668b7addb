import { join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { createGenerator } from 'ts-json-schema-generator';
import { stringify } from 'yaml';
import { toJSONSchema } from 'zod/mini';
import { OrderRequestSchema } from '#domain/order-request';
import { MAX_WAIT_SECONDS } from '../../functions/create-order/request';

/*
 * docs/openapi.yaml and client/src/generated/api-types.ts, both built from the schemas the handlers
 * use: the request body from the zod schema POST /orders validates with, every response body from
 * the TypeScript types the handlers return (ts-json-schema-generator over api-types.ts). `npm run
 * openapi` writes both; tests/contract/openapi.test.ts fails when either differs from a fresh build.
 */

const ROOT = join(__dirname, '..', '..');
export const OPENAPI_PATH = join(ROOT, 'docs', 'openapi.yaml');
export const CLIENT_TYPES_PATH = join(ROOT, 'client', 'src', 'generated', 'api-types.ts');

type Schema = Record<string, unknown>;

/** Every component schema: the handlers' response types and the zod request schema, by name. */
export function apiSchemas(): Record<string, Schema> {
  const generated = createGenerator({
    path: join(__dirname, 'api-types.ts'),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    topRef: false,
    jsDoc: 'extended',
    // tsc --noEmit checks these files already; a second full check here only costs time.
    skipTypeCheck: true,
  }).createSchema('*');
  const { $schema: _dialect, ...request } = toJSONSchema(OrderRequestSchema) as Schema;
  const schemas: Record<string, Schema> = { OrderRequest: { title: 'OrderRequest', description: 'The POST /orders body. Unknown fields are rejected, and prices are never accepted.', ...request } };
  for (const [name, schema] of Object.entries(generated.definitions ?? {})) {
    if (typeof schema === 'object') schemas[name] = schema as Schema;
  }
  return Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
}

/** JSON Schema `#/definitions/X` refs as OpenAPI's `#/components/schemas/X`. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' ? inner.replace('#/definitions/', '#/components/schemas/') : toComponentRefs(inner),
    ]),
  );
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schema: string, example?: unknown) => ({ 'application/json': { schema: ref(schema), ...(example === undefined ? {} : { example }) } });
const errorResponse = (description: string, example: unknown, headers?: Schema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: jsonContent('ErrorBody', example),
});

const API_KEY = [{ api_key: [] }];
const SIGV4 = [{ sigv4: [] }];

const ORDER_ID = 'ord_5f0c9a3e2b7d4c1e8a6f0b2d4c6e8a0f';
const MONEY = (amount: number) => ({ amount, currency: 'USD' });
const ORDER_REQUEST_EXAMPLE = {
  customerId: 'cust-1001',
  items: [{ sku: 'TSHIRT-BLK-M', quantity: 2 }, { sku: 'MUG-CERAMIC', quantity: 1 }],
  shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical Way', city: 'Springfield', postalCode: '12345', country: 'US' },
  payment: { token: 'tok_visa' },
};
const ORDER_VIEW_EXAMPLE = {
  orderId: ORDER_ID,
  customerId: 'cust-1001',
  status: 'COMPLETED',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:02.310Z',
  items: [
    { sku: 'TSHIRT-BLK-M', name: 'Logo T-shirt, black, M', quantity: 2, unitPrice: MONEY(2000), lineTotal: MONEY(4000) },
    { sku: 'MUG-CERAMIC', name: 'Ceramic mug, 350 ml', quantity: 1, unitPrice: MONEY(1250), lineTotal: MONEY(1250) },
  ],
  totals: { subtotal: MONEY(5250), shipping: MONEY(599), total: MONEY(5849) },
  total: MONEY(5849),
  timeline: ['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt'].map((step, index) => ({
    step,
    status: 'SUCCEEDED',
    startedAt: `2026-12-01T10:00:0${index}.100Z`,
    finishedAt: `2026-12-01T10:00:0${index}.400Z`,
    attempts: 1,
  })),
  shipment: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', status: 'CREATED' },
  receipt: { available: true, status: 'AVAILABLE' },
  failure: null,
  links: { self: `/dev/orders/${ORDER_ID}`, receipt: `/dev/orders/${ORDER_ID}/receipt` },
};

const HEADERS = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes the POST safe to retry: a repeat with the same key and body returns the first order (with Idempotent-Replayed: true) instead of creating another; the same key with another body is 409. Without a key every POST creates a new order, so a client that retries a keyless POST after a network error can create a second order. The client SDK always sends one.',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    example: '8c1d7f52-8f0e-4a52-9a3c-3f1b2b8f7d10',
  },
  Prefer: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description: `RFC 7240 \`wait=N\`: hold the response up to N seconds (at most ${MAX_WAIT_SECONDS}) for the outcome; 200 with the view when the order completes, 422 when it fails, 202 as without it when neither happened in time.`,
    schema: { type: 'string', pattern: '^wait=\\d{1,6}$' },
    example: 'wait=10',
  },
  OrderId: {
    name: 'orderId',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^ord_[0-9a-f]{32}$' },
    example: ORDER_ID,
  },
};

const RESPONSE_HEADERS = {
  Location: { description: "The order's URL.", schema: { type: 'string' }, example: `/dev/orders/${ORDER_ID}` },
  IdempotentReplayed: { description: 'Present (true) when this is the replay of an earlier POST with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
  PreferenceApplied: { description: 'The wait applied, when Prefer: wait was honoured (capped).', schema: { type: 'string' }, example: 'wait=10' },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'string' }, example: '1' },
};

const COMMON_ERRORS = {
  '403': errorResponse('No valid credentials for this route (API Gateway answers this itself).', { message: 'Forbidden' }),
  '429': errorResponse('Throttled by the usage plan or the stage: retry after a backoff.', { message: 'Too Many Requests' }),
  '500': errorResponse('Unexpected error; logged with details, reported without.', { message: 'Internal server error' }),
  '503': errorResponse('A dependency is throttled or unavailable: retrying (with the same Idempotency-Key) is safe.', { message: 'Service temporarily unavailable; retry shortly' }, {
    'Retry-After': { $ref: '#/components/headers/RetryAfter' },
  }),
};

/** The 403s API Gateway's IAM auth answers itself, before any function runs. */
const SIGV4_FORBIDDEN = errorResponse(
  'Refused by IAM auth: unsigned ("Missing Authentication Token"), a signature that does not verify ("The request signature we calculated does not match the signature you provided…"), a request older than 5 minutes ("Signature expired: …"), or a principal whose policy lacks the route ("User: arn:… is not authorized to access this resource").',
  { message: 'Missing Authentication Token' },
);

/** The common errors of a route with this security. */
const errorsFor = (security: Schema[]) => (security === SIGV4 ? { ...COMMON_ERRORS, '403': SIGV4_FORBIDDEN } : COMMON_ERRORS);

const INVALID_ID = errorResponse('The order id is malformed.', { message: 'Invalid order id', errors: [{ path: 'orderId', message: 'Must look like ord_ followed by 32 hex characters' }] });
const NOT_FOUND = errorResponse("No such order, or another caller's (ids cannot be probed).", { message: 'Order not found' });

function placeOrderOperation(operationId: string, summary: string, security: Schema[]): Schema {
  return {
    operationId,
    summary,
    security,
    parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }, { $ref: '#/components/parameters/Prefer' }],
    requestBody: { required: true, content: jsonContent('OrderRequest', ORDER_REQUEST_EXAMPLE) },
    responses: {
      '200': {
        description: 'With Prefer: wait, the order completed within the wait.',
        headers: { Location: { $ref: '#/components/headers/Location' }, 'Preference-Applied': { $ref: '#/components/headers/PreferenceApplied' }, 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } },
        content: jsonContent('OrderView', ORDER_VIEW_EXAMPLE),
      },
      '202': {
        description: 'Accepted: the order is recorded and its workflow started. Poll links.self or open links.updates.',
        headers: { Location: { $ref: '#/components/headers/Location' }, 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' }, 'Preference-Applied': { $ref: '#/components/headers/PreferenceApplied' } },
        content: jsonContent('OrderAccepted', { orderId: ORDER_ID, status: 'RECEIVED', total: MONEY(5849), links: { self: `/dev/orders/${ORDER_ID}`, receipt: `/dev/orders/${ORDER_ID}/receipt` } }),
      },
      '400': errorResponse('The body or a header is invalid; `errors` names every bad field.', {
        message: 'The order request is invalid',
        errors: [{ path: 'items.0.quantity', message: 'Must be at least 1' }],
      }),
      '409': errorResponse('The Idempotency-Key was already used with a different body.', { message: 'This Idempotency-Key was already used with a different request body' }),
      '413': errorResponse('The body is larger than 16 KiB.', { message: 'Request body must be at most 16384 bytes' }),
      '415': errorResponse('Content-Type is not application/json.', { message: 'Content-Type must be application/json' }),
      '422': {
        description: 'The order cannot be sold (unknown SKU, quantity over the limit: an ErrorBody), or with Prefer: wait it failed within the wait (an OrderFailedBody).',
        content: {
          'application/json': {
            schema: { oneOf: [ref('ErrorBody'), ref('OrderFailedBody')] },
            example: { message: 'Some items cannot be ordered', errors: [{ path: 'items.0.sku', message: 'Unknown SKU' }] },
          },
        },
      },
      ...errorsFor(security),
    },
  };
}

function getOrderOperation(operationId: string, summary: string, security: Schema[]): Schema {
  return {
    operationId,
    summary,
    security,
    parameters: [{ $ref: '#/components/parameters/OrderId' }],
    responses: { '200': { description: "The order's live view.", content: jsonContent('OrderView', ORDER_VIEW_EXAMPLE) }, '400': INVALID_ID, '404': NOT_FOUND, ...errorsFor(security) },
  };
}


/** The OpenAPI 3.1 document, as an object. */
export function openApiDocument(schemas: Record<string, Schema> = apiSchemas()): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Orders API',
      version: '1.0.0',
      description:
        'Place and track orders. Storefront routes take an API key (x-api-key); integration and operator routes take AWS SigV4 (IAM). Money is in integer minor units with its currency. Generated by `npm run openapi` from the handlers\' schemas: do not edit by hand. The typed client is client/ (@order-processing/client).',
    },
    servers: [
      { url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}', variables: { restApiId: { default: 'abc123' }, region: { default: 'us-east-1' }, stage: { default: 'dev', enum: ['dev', 'prod'] } } },
      { url: 'http://127.0.0.1:3000', description: 'npm start (local runtime)' },
    ],
    tags: [{ name: 'storefront' }, { name: 'integrations' }, { name: 'operators' }],
    paths: {
      '/products': {
        get: {
          operationId: 'listProducts',
          tags: ['storefront'],
          summary: 'The catalog, so clients can build valid orders. Prices in minor units.',
          security: API_KEY,
          responses: {
            '200': {
              description: 'The catalog.',
              headers: { 'Cache-Control': { schema: { type: 'string' }, example: 'max-age=60' } },
              content: jsonContent('ProductList', { products: [{ sku: 'MUG-CERAMIC', name: 'Ceramic mug, 350 ml', unitPrice: 1250, currency: 'USD', maxQuantity: 20 }] }),
            },
            '403': COMMON_ERRORS['403'],
            '429': COMMON_ERRORS['429'],
          },
        },
      },
      '/orders': { post: { tags: ['storefront'], ...placeOrderOperation('placeOrder', "Place an order owned by the caller's API key.", API_KEY) } },
      '/orders/{orderId}': { get: { tags: ['storefront'], ...getOrderOperation('getOrder', "One of the caller's orders.", API_KEY) } },
      '/orders/{orderId}/receipt': {
        get: {
          operationId: 'getReceipt',
          tags: ['storefront'],
          summary: 'A short-lived presigned link to the HTML receipt, and the same receipt as JSON.',
          security: API_KEY,
          parameters: [{ $ref: '#/components/parameters/OrderId' }],
          responses: {
            '200': {
              description: 'The link, and the receipt as data.',
              content: jsonContent('ReceiptLinks', {
                orderId: ORDER_ID,
                url: 'https://…/receipt.html?X-Amz-…',
                contentType: 'text/html',
                expiresAt: '2026-12-01T10:05:00.000Z',
                document: {
                  receiptVersion: 1,
                  orderId: ORDER_ID,
                  customerId: 'cust-42',
                  issuedAt: '2026-12-01T10:00:03.000Z',
                  currency: 'USD',
                  lines: [{ sku: 'POSTER-A2', name: 'Poster, A2', quantity: 2, unitPrice: 1299, lineTotal: 2598 }],
                  totals: { subtotal: 2598, shipping: 599, total: 3197 },
                  payment: { authorizationId: 'auth_0f3c…', captureId: 'cap_9a1d…' },
                  shipment: { carrier: 'SimPost Ground', trackingNumber: 'SP0123456789012345' },
                  shipTo: { name: 'Ada Lovelace', city: 'London', country: 'GB' },
                },
              }),
            },
            '400': INVALID_ID,
            '404': NOT_FOUND,
            '409': errorResponse('No receipt yet, or generating it failed.', { message: 'The receipt is not available yet (order status SHIPPED)' }),
            ...COMMON_ERRORS,
          },
        },
      },
      '/integrations/orders': { post: { tags: ['integrations'], ...placeOrderOperation('placeIntegrationOrder', "Place an order owned by the caller's IAM principal.", SIGV4) } },
      '/integrations/orders/{orderId}': { get: { tags: ['integrations'], ...getOrderOperation('getIntegrationOrder', "One of the caller principal's orders.", SIGV4) } },
      '/admin/orders': {
        get: {
          operationId: 'listAdminOrders',
          tags: ['operators'],
          summary: 'Orders of every owner, newest first, paginated with an opaque cursor.',
          security: SIGV4,
          parameters: [
            { name: 'status', in: 'query', required: true, description: 'One status: each is its own partition of the byStatus index.', schema: ref('OrderStatus'), example: 'FAILED' },
            { name: 'from', in: 'query', description: 'Created at or after (ISO 8601).', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', description: 'Created before (ISO 8601).', schema: { type: 'string', format: 'date-time' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
            { name: 'cursor', in: 'query', description: 'The cursor of the previous page, unchanged.', schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'A page of orders.', content: jsonContent('AdminOrderList', {
                orders: [{ orderId: ORDER_ID, status: 'FAILED', createdAt: '2026-12-01T12:00:00.000Z', customerId: 'cust-1001', owner: 'localkey0001', total: { amount: 2598, currency: 'USD' }, failure: { code: 'PaymentDeclined', message: 'The card was declined', step: 'Authorize Payment' }, links: { self: `/admin/orders/${ORDER_ID}` } }],
                nextCursor: 'WyJGQUlMRUQiLCIyMDI2LTEyLTAxVDEyOjAwOjAwLjAwMFoiLCJvcmRfMDEyMyJd',
              }) },
            '400': errorResponse('A query parameter or the cursor is invalid.', { message: 'Invalid cursor', errors: [{ path: 'cursor', message: 'Not a cursor this API issued' }] }),
            ...errorsFor(SIGV4),
          },
        },
      },
      '/admin/orders/{orderId}': {
        get: {
          operationId: 'getAdminOrder',
          tags: ['operators'],
          summary: 'Any order, with its step timeline and its execution ARN.',
          security: SIGV4,
          parameters: [{ $ref: '#/components/parameters/OrderId' }],
          responses: {
            '200': { description: 'The order.', content: jsonContent('AdminOrderView', { ...ORDER_VIEW_EXAMPLE, owner: 'localkey0001', executionArn: `arn:aws:states:us-east-1:123456789012:execution:order-processing:${ORDER_ID}`, execution: { status: 'SUCCEEDED', redriveCount: 0, error: null } }) },
            '400': INVALID_ID,
            '404': errorResponse('No such order.', { message: 'Order not found' }),
            ...errorsFor(SIGV4),
          },
        },
      },
      '/admin/orders/{orderId}/retry': {
        post: {
          operationId: 'retryAdminOrder',
          tags: ['operators'],
          summary: "Redrive the execution of an order stuck in Compensation Failed or Receipt Failed. Idempotent.",
          security: SIGV4,
          parameters: [{ $ref: '#/components/parameters/OrderId' }],
          responses: {
            '202': {
              description: 'What the retry did: REDRIVEN now, or ALREADY_REDRIVEN by an earlier retry (nothing done).',
              content: jsonContent('AdminRetryResult', { orderId: ORDER_ID, outcome: 'REDRIVEN', reason: 'COMPENSATION_FAILED', executionArn: `arn:aws:states:us-east-1:123456789012:execution:order-processing:${ORDER_ID}`, execution: { status: 'RUNNING', redriveCount: 1 }, links: { self: `/admin/orders/${ORDER_ID}` } }),
            },
            '400': INVALID_ID,
            '404': errorResponse('No such order.', { message: 'Order not found' }),
            '409': errorResponse('The order is not in a state a retry can help.', { message: 'Only an order in Compensation Failed or Receipt Failed can be retried' }),
            ...errorsFor(SIGV4),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        api_key: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key of the usage plan (the storefront routes).' },
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'AWS Signature Version 4 (service execute-api) with IAM credentials allowed execute-api:Invoke on the route by the integrators\' or operators\' managed policy.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      parameters: HEADERS,
      headers: RESPONSE_HEADERS,
      schemas: toComponentRefs(schemas),
    },
  };
}

/** docs/openapi.yaml's text. */
export function openApiYaml(schemas: Record<string, Schema> = apiSchemas()): string {
  return `# Generated by \`npm run openapi\` (scripts/api-contract/openapi.ts) from the handlers' schemas. Do not edit.\n${stringify(openApiDocument(schemas), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** client/src/generated/api-types.ts's text: the same schemas as TypeScript. */
export async function clientTypes(schemas: Record<string, Schema> = apiSchemas()): Promise<string> {
  const banner = "/* Generated by `npm run openapi` (scripts/api-contract/openapi.ts) from the handlers' schemas. Do not edit. */";
  const parts: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    // Each schema compiled alone, its refs declared elsewhere in this file, so every type appears once.
    const code = await compile({ ...schema, title: name, definitions: Object.fromEntries(Object.keys(schemas).filter((other) => other !== name).map((other) => [other, { tsType: other }])) }, name, {
      bannerComment: '',
      ignoreMinAndMaxItems: true,
      additionalProperties: false,
      declareExternallyReferenced: false,
      format: true,
      strictIndexSignatures: true,
      style: { singleQuote: true, printWidth: 140 },
    });
    parts.push(code.trim());
  }
  return `${banner}\n\n${parts.join('\n\n')}\n`;
}
