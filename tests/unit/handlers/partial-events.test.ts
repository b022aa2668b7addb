import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handler as createOrder } from '../../../functions/create-order/index';
import { handler as getOrder } from '../../../functions/get-order/index';
import { handler as getReceipt } from '../../../functions/get-receipt/index';
import { handler as listProducts } from '../../../functions/list-products/index';
import { lambdaContext, parseResponse } from '../helpers/api';

/*
 * Events that are not what API Gateway sends: `aws lambda invoke --payload '{}'`, hand-written
 * fixtures, test tools. Each must get the API's error response, never a TypeError (a 502 behind
 * API Gateway, an Unhandled error on a direct invoke). None of these reach an AWS service.
 */

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const HANDLERS: [string, Handler][] = [
  ['list-products', listProducts],
  ['create-order', createOrder],
  ['get-order', getOrder],
  ['get-receipt', getReceipt],
];

/** A deliberately partial or malformed event, typed as the handlers declare it. */
const partial = (event: unknown) => event as APIGatewayProxyEvent;

describe('API handlers given partial events', () => {
  it.each(HANDLERS)('%s answers 403 {"message":"Forbidden"} to an event without requestContext ({}, null, a string)', async (name, handler) => {
    for (const event of [{}, null, 'hello', { requestContext: {} }, { requestContext: { identity: null } }]) {
      const response = parseResponse(await handler(partial(event), lambdaContext(name)));
      expect(response).toMatchObject({ statusCode: 403, body: { message: 'Forbidden' } });
    }
  });

  const withKey = { requestContext: { identity: { apiKeyId: 'key-a' } }, headers: null, multiValueHeaders: null, pathParameters: null, body: null };

  it('list-products answers 200 to a keyed event whose other fields are null', async () => {
    expect((await listProducts(partial(withKey), lambdaContext('list-products'))).statusCode).toBe(200);
  });

  it('create-order answers 415 without headers and 400 (not valid JSON) without a body', async () => {
    const noHeaders = parseResponse(await createOrder(partial(withKey), lambdaContext('create-order')));
    expect(noHeaders).toMatchObject({ statusCode: 415, body: { message: 'Content-Type must be application/json' } });

    const noBody = parseResponse(await createOrder(partial({ ...withKey, headers: { 'CONTENT-TYPE': 'application/json' } }), lambdaContext('create-order')));
    expect(noBody).toMatchObject({ statusCode: 400, body: { message: 'Request body is not valid JSON' } });
  });

  it.each([
    ['get-order', getOrder],
    ['get-receipt', getReceipt],
  ] as const)('%s answers 400 naming orderId when pathParameters is null or missing', async (name, handler) => {
    const { pathParameters: _null, ...withoutPathParameters } = withKey;
    for (const event of [withKey, withoutPathParameters]) {
      const response = parseResponse(await handler(partial(event), lambdaContext(name)));
      expect(response).toMatchObject({ statusCode: 400, body: { message: 'Invalid order id', errors: [{ path: 'orderId' }] } });
    }
  });
});
