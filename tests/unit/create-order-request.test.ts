import { MAX_BODY_BYTES, MAX_WAIT_SECONDS, type ParsedCreateOrder, parseCreateOrder, parsePreferWait } from '../../functions/create-order/request';
import { orderRequest } from '../support/orders';
import { createOrderEvent } from './helpers/api';

type Rejected = Extract<ParsedCreateOrder, { ok: false }>;
type Accepted = Extract<ParsedCreateOrder, { ok: true }>;

function rejected(parsed: ParsedCreateOrder): Rejected {
  if (parsed.ok) throw new Error('Expected the request to be rejected');
  return parsed;
}

function accepted(parsed: ParsedCreateOrder): Accepted {
  if (!parsed.ok) throw new Error(`Expected the request to be accepted, got ${parsed.statusCode}: ${JSON.stringify(parsed.errors)}`);
  return parsed;
}

describe('parseCreateOrder', () => {
  it('accepts a valid JSON order with no optional headers', () => {
    expect(parseCreateOrder(createOrderEvent(orderRequest()))).toEqual({ ok: true, request: orderRequest(), waitSeconds: 0 });
  });

  describe('content type', () => {
    it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', '  application/json  '])(
      'accepts Content-Type %j',
      (contentType) => {
        expect(parseCreateOrder(createOrderEvent(orderRequest(), { 'Content-Type': contentType })).ok).toBe(true);
      },
    );

    it('finds the content type header whatever its case', () => {
      const event = createOrderEvent(orderRequest());
      event.headers = { 'content-type': 'application/json' };
      expect(parseCreateOrder(event).ok).toBe(true);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'application/json-patch+json', ''])(
      'returns 415 for Content-Type %j',
      (contentType) => {
        const result = rejected(parseCreateOrder(createOrderEvent(orderRequest(), { 'Content-Type': contentType })));
        expect(result.statusCode).toBe(415);
        expect(result.message).toBe('Content-Type must be application/json');
      },
    );

    it('returns 415 when there is no Content-Type header at all (headers null)', () => {
      const event = createOrderEvent(orderRequest());
      (event as { headers: unknown }).headers = null;
      expect(rejected(parseCreateOrder(event)).statusCode).toBe(415);
    });
  });

  describe('body size', () => {
    it(`accepts a body of exactly ${MAX_BODY_BYTES} bytes (then judges it as JSON)`, () => {
      const body = JSON.stringify(orderRequest());
      const padded = body + ' '.repeat(MAX_BODY_BYTES - Buffer.byteLength(body));
      expect(Buffer.byteLength(padded)).toBe(MAX_BODY_BYTES);
      expect(parseCreateOrder(createOrderEvent(padded)).ok).toBe(true);
    });

    it(`returns 413 for a body one byte over ${MAX_BODY_BYTES} bytes`, () => {
      const body = JSON.stringify(orderRequest());
      const padded = body + ' '.repeat(MAX_BODY_BYTES - Buffer.byteLength(body) + 1);
      const result = rejected(parseCreateOrder(createOrderEvent(padded)));
      expect(result.statusCode).toBe(413);
      expect(result.message).toContain(String(MAX_BODY_BYTES));
    });

    it('counts UTF-8 bytes, not characters, toward the 16 KB limit', () => {
      const name = '€'.repeat(6000); // 6000 characters, 18000 bytes
      const result = rejected(parseCreateOrder(createOrderEvent({ ...orderRequest(), customerId: name })));
      expect(result.statusCode).toBe(413);
    });

    it('measures a base64-encoded body by its decoded size and decodes it before parsing', () => {
      const body = Buffer.from(JSON.stringify(orderRequest())).toString('base64');
      expect(parseCreateOrder(createOrderEvent(body, {}, { isBase64Encoded: true })).ok).toBe(true);

      const big = Buffer.from('x'.repeat(MAX_BODY_BYTES + 1)).toString('base64');
      expect(rejected(parseCreateOrder(createOrderEvent(big, {}, { isBase64Encoded: true }))).statusCode).toBe(413);
    });

    it('returns 400 for a body marked isBase64Encoded that is plain JSON, instead of parsing decoded garbage', () => {
      const result = rejected(parseCreateOrder(createOrderEvent(orderRequest(), {}, { isBase64Encoded: true })));
      expect(result.statusCode).toBe(400);
      expect(result.message).toBe('The request body is marked isBase64Encoded but is not base64');
    });
  });

  describe('JSON', () => {
    it.each(['{', '{"customerId":', "{'a':1}", 'not json', ''])('returns 400 naming (body) for invalid JSON %j', (body) => {
      const result = rejected(parseCreateOrder(createOrderEvent(body)));
      expect(result.statusCode).toBe(400);
      expect(result.message).toBe('Request body is not valid JSON');
      expect(result.errors).toEqual([{ path: '(body)', message: 'Not valid JSON' }]);
    });

    it('returns 400 for a missing body', () => {
      const result = rejected(parseCreateOrder(createOrderEvent(orderRequest(), {}, { body: null })));
      expect(result.statusCode).toBe(400);
    });

    it('returns 400 with the validation errors for well-formed JSON that is not a valid order', () => {
      const result = rejected(parseCreateOrder(createOrderEvent({ ...orderRequest(), customerId: 'has spaces' })));
      expect(result.statusCode).toBe(400);
      expect(result.message).toBe('The order request is invalid');
      expect(result.errors?.map((error) => error.path)).toEqual(['customerId']);
    });
  });

  describe('Idempotency-Key', () => {
    it.each(['checkout-0001', 'a', 'k'.repeat(255), '!~{}[]<>"#$%&\'()*+,-./:;=?@\\^_`|'])('accepts the key %j and passes it on', (key) => {
      expect(accepted(parseCreateOrder(createOrderEvent(orderRequest(), { 'Idempotency-Key': key }))).idempotencyKey).toBe(key);
    });

    it('reads the header case-insensitively', () => {
      expect(accepted(parseCreateOrder(createOrderEvent(orderRequest(), { 'idempotency-key': 'abc' }))).idempotencyKey).toBe('abc');
    });

    it.each([
      ['empty', ''],
      ['containing a space', 'checkout 1'],
      ['over 255 characters', 'k'.repeat(256)],
      ['non-ASCII', 'clé-1'],
      ['containing a tab', 'a\tb'],
    ])('returns 400 naming headers.Idempotency-Key for a key that is %s', (_, key) => {
      const result = rejected(parseCreateOrder(createOrderEvent(orderRequest(), { 'Idempotency-Key': key })));
      expect(result.statusCode).toBe(400);
      expect(result.errors).toEqual([{ path: 'headers.Idempotency-Key', message: expect.any(String) as unknown }]);
    });

    it('reports a bad Idempotency-Key together with the body errors', () => {
      const result = rejected(parseCreateOrder(createOrderEvent({ ...orderRequest(), customerId: 'has spaces' }, { 'Idempotency-Key': 'a b' })));
      expect(result.errors?.map((error) => error.path)).toEqual(['headers.Idempotency-Key', 'customerId']);
    });
  });

  describe('Prefer: wait', () => {
    it('passes the wait through to the parsed command', () => {
      expect(accepted(parseCreateOrder(createOrderEvent(orderRequest(), { Prefer: 'wait=5' }))).waitSeconds).toBe(5);
    });

    it(`caps the wait at ${MAX_WAIT_SECONDS} seconds`, () => {
      expect(accepted(parseCreateOrder(createOrderEvent(orderRequest(), { Prefer: 'wait=120' }))).waitSeconds).toBe(MAX_WAIT_SECONDS);
    });

    it('returns 400 naming headers.Prefer for a wait that is not a whole number of seconds', () => {
      const result = rejected(parseCreateOrder(createOrderEvent(orderRequest(), { Prefer: 'wait=soon' })));
      expect(result.statusCode).toBe(400);
      expect(result.errors).toEqual([{ path: 'headers.Prefer', message: expect.any(String) as unknown }]);
    });
  });
});

describe('parsePreferWait', () => {
  it.each<[string | undefined, number]>([
    [undefined, 0],
    ['', 0],
    ['respond-async', 0],
    ['handling=lenient', 0],
    ['wait=0', 0],
    ['wait=5', 5],
    ['WAIT=7', 7],
    [' wait = 9 ', 9],
    ['wait="10"', 10],
    ['respond-async, wait=12', 12],
    ['wait=3; foo=bar', 3],
    ['wait=25', 25],
    ['wait=26', 25],
    ['wait=999999', 25],
  ])('parses %j as %d seconds', (prefer, seconds) => {
    expect(parsePreferWait(prefer)).toBe(seconds);
  });

  it.each(['wait=', 'wait', 'wait=abc', 'wait=-1', 'wait=1.5', 'wait=1e3', 'wait=0x10', 'wait=1234567'])('rejects %j as invalid', (prefer) => {
    expect(parsePreferWait(prefer)).toBe('invalid');
  });
});
