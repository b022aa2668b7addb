import type { APIGatewayProxyEvent } from 'aws-lambda';
import { FORBIDDEN, callerKeyId, header, internalError, json, ordersBasePath, problem, requestBody } from '#api/http';
import { parseLocalApiKeys } from '#api/local-api-keys';
import { apiEvent, samLocalEvent } from './helpers/api';

const partial = (event: unknown) => event as APIGatewayProxyEvent;

describe('shared HTTP helpers', () => {
  it('finds headers in any case and tolerates headers: null', () => {
    const event = apiEvent({ headers: { 'iDeMpOtEnCy-KeY': 'k-1', 'X-API-KEY': 'v' } });

    expect(header(event, 'Idempotency-Key')).toBe('k-1');
    expect(header(event, 'x-api-key')).toBe('v');
    expect(header(event, 'Prefer')).toBeUndefined();
    expect(header(partial({ headers: null }), 'content-type')).toBeUndefined();
  });

  it('decodes a base64 body when isBase64Encoded is true, and reads a plain one as UTF-8', () => {
    const text = '{"note":"€"}';
    const encoded = requestBody(apiEvent({ body: Buffer.from(text).toString('base64'), isBase64Encoded: true }));
    const plain = requestBody(apiEvent({ body: text }));

    expect(encoded.ok && encoded.bytes.toString('utf8')).toBe(text);
    expect(plain.ok && plain.bytes.toString('utf8')).toBe(text);
    expect(requestBody(partial({ body: null, isBase64Encoded: true }))).toEqual({ ok: true, bytes: Buffer.alloc(0) });
  });

  it('refuses a body marked isBase64Encoded that is not base64 (as `sam local generate-event` writes) instead of guessing', () => {
    const generated = requestBody(apiEvent({ body: '{"test":"body"}', isBase64Encoded: true }));

    expect(generated).toEqual({ ok: false, message: 'The request body is marked isBase64Encoded but is not base64' });
  });

  it('builds /orders links with the stage prefix behind API Gateway and without it under sam local or a bare event', () => {
    expect(ordersBasePath(apiEvent({ path: '/orders/ord_1', stage: 'prod' }))).toBe('/prod/orders');
    expect(ordersBasePath(samLocalEvent({ path: '/orders/ord_1', resource: '/orders/{orderId}' }))).toBe('/orders');
    expect(ordersBasePath(partial({ path: '/orders' }))).toBe('/orders');
    expect(ordersBasePath(partial({}))).toBe('/orders');
  });

  it("takes API Gateway's apiKeyId first, and X-Api-Key only when sam-local keys are in force", () => {
    const keys = parseLocalApiKeys('localkey0001=local-value-1');
    const withHeader = samLocalEvent({ headers: { 'x-api-key': 'local-value-1' } });

    expect(callerKeyId(apiEvent({ apiKeyId: 'gw-key', headers: { 'X-Api-Key': 'local-value-1' } }), keys)).toBe('gw-key');
    expect(callerKeyId(withHeader, keys)).toBe('localkey0001');
    expect(callerKeyId(withHeader, undefined)).toBeUndefined();
  });

  it('exposes Location, Idempotent-Replayed and Preference-Applied to browsers on every response', () => {
    const exposed = 'Location,Idempotent-Replayed,Preference-Applied';
    for (const response of [json(200, {}), problem(400, 'x'), internalError(new Error('x')), FORBIDDEN]) {
      expect(response.headers?.['Access-Control-Expose-Headers']).toBe(exposed);
    }
    expect(FORBIDDEN.body).toBe('{"message":"Forbidden"}');
  });
});
