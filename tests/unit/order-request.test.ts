import fc from 'fast-check';
import { type FieldError, ORDER_LIMITS, validateOrderRequest } from '#domain/order-request';
import { orderRequest } from '../support/orders';

/** The field errors for a body that must be invalid (fails the test if it validates). */
function errorsFor(body: unknown): FieldError[] {
  const result = validateOrderRequest(body);
  if (result.ok) throw new Error(`Expected ${JSON.stringify(body)} to be invalid`);
  return result.errors;
}

function pathsFor(body: unknown): string[] {
  return errorsFor(body).map((error) => error.path);
}

const address = orderRequest().shippingAddress;

describe('validateOrderRequest', () => {
  it('accepts the sample order and trims surrounding whitespace from text fields', () => {
    const result = validateOrderRequest({ ...orderRequest(), shippingAddress: { ...address, name: '  Ada Lovelace  ', city: ' Springfield' } });

    expect(result).toEqual({ ok: true, value: { ...orderRequest(), shippingAddress: { ...address, name: 'Ada Lovelace', city: 'Springfield' } } });
  });

  it('accepts an optional line2', () => {
    expect(validateOrderRequest({ ...orderRequest(), shippingAddress: { ...address, line2: 'Flat 3' } }).ok).toBe(true);
  });

  it('names every bad field with its path, not just the first', () => {
    const paths = pathsFor({
      customerId: 'has spaces',
      items: [
        { sku: 'lower-case', quantity: 1 },
        { sku: 'MUG-CERAMIC', quantity: 0 },
      ],
      shippingAddress: { name: '', line1: '12 Analytical Way', city: 'Springfield', postalCode: '!!', country: 'usa' },
      payment: { token: 'visa' },
    });

    expect(paths.sort()).toEqual(
      [
        'customerId',
        'items.0.sku',
        'items.1.quantity',
        'shippingAddress.name',
        'shippingAddress.postalCode',
        'shippingAddress.country',
        'payment.token',
      ].sort(),
    );
  });

  it('says what type a wrongly typed field needed (zod/mini carries no messages without its English locale)', () => {
    const result = validateOrderRequest({ ...orderRequest(), customerId: 42, items: 'many' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { path: 'customerId', message: 'Invalid input: expected string, received number' },
        { path: 'items', message: 'Invalid input: expected array, received string' },
      ]),
    );
  });

  it('names each missing required field', () => {
    expect(pathsFor({})).toEqual(['customerId', 'items', 'shippingAddress', 'payment']);
    expect(pathsFor({ ...orderRequest(), shippingAddress: {} })).toEqual([
      'shippingAddress.name',
      'shippingAddress.line1',
      'shippingAddress.city',
      'shippingAddress.postalCode',
      'shippingAddress.country',
    ]);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', [orderRequest()]],
    ['a string', 'order'],
    ['a number', 42],
  ])('rejects a body that is %s with the (body) path', (_, body) => {
    expect(pathsFor(body)).toEqual(['(body)']);
  });

  it.each<[string, unknown, string]>([
    ['a customerId over 64 characters', { ...orderRequest(), customerId: 'c'.repeat(65) }, 'customerId'],
    ['a fractional quantity', { ...orderRequest(), items: [{ sku: 'MUG-CERAMIC', quantity: 1.5 }] }, 'items.0.quantity'],
    ['a quantity sent as a string', { ...orderRequest(), items: [{ sku: 'MUG-CERAMIC', quantity: '2' }] }, 'items.0.quantity'],
    ['a quantity over the per-line limit', { ...orderRequest(), items: [{ sku: 'MUG-CERAMIC', quantity: ORDER_LIMITS.maxQuantityPerLine + 1 }] }, 'items.0.quantity'],
    ['no items', { ...orderRequest(), items: [] }, 'items'],
    [
      'more lines than allowed',
      { ...orderRequest(), items: Array.from({ length: ORDER_LIMITS.maxLines + 1 }, (_, index) => ({ sku: `SKU-${index}`, quantity: 1 })) },
      'items',
    ],
    [
      'the same SKU on two lines',
      { ...orderRequest(), items: [{ sku: 'MUG-CERAMIC', quantity: 1 }, { sku: 'MUG-CERAMIC', quantity: 2 }] },
      'items.1.sku',
    ],
    ['a whitespace-only name', { ...orderRequest(), shippingAddress: { ...address, name: '   ' } }, 'shippingAddress.name'],
    ['a line1 over 200 characters', { ...orderRequest(), shippingAddress: { ...address, line1: 'x'.repeat(201) } }, 'shippingAddress.line1'],
    ['a lower-case country', { ...orderRequest(), shippingAddress: { ...address, country: 'us' } }, 'shippingAddress.country'],
    ['a postal code over 16 characters', { ...orderRequest(), shippingAddress: { ...address, postalCode: '1'.repeat(17) } }, 'shippingAddress.postalCode'],
  ])('rejects %s, naming %s', (_, body, path) => {
    expect(pathsFor(body)).toEqual([path]);
  });

  it('rejects an extra top-level field such as a client-side total', () => {
    const errors = errorsFor({ ...orderRequest(), total: { amount: 1, currency: 'USD' } });

    expect(errors).toEqual([{ path: 'total', message: 'Unknown field; remove it' }]);
  });

  it('rejects an extra field on an item such as a unit price, naming the field', () => {
    const errors = errorsFor({ ...orderRequest(), items: [{ sku: 'MUG-CERAMIC', quantity: 1, unitPrice: 1 }] });

    expect(errors).toEqual([{ path: 'items.0.unitPrice', message: 'Unknown field; remove it' }]);
  });

  it('rejects extra fields in the address and payment objects', () => {
    expect(
      pathsFor({ ...orderRequest(), shippingAddress: { ...address, phone: '555' }, payment: { token: 'tok_visa', cvc: '123' } }).sort(),
    ).toEqual(['payment.cvc', 'shippingAddress.phone']);
  });

  it.each(['4242424242424242', '4242 4242 4242 4242', '4242-4242-4242-4242', 'pan_4242424242424242'])(
    'rejects the card-number-like payment token %s without echoing it back',
    (token) => {
      const errors = errorsFor({ ...orderRequest(), payment: { token } });

      expect(errors).toEqual([{ path: 'payment.token', message: expect.stringContaining('never send card numbers') as unknown }]);
      expect(JSON.stringify(errors)).not.toContain(token);
    },
  );

  it.each([
    ['NUL', '\u0000'],
    ['newline', '\n'],
    ['tab', '\t'],
    ['escape', '\u001b[31m'],
    ['DEL', '\u007f'],
    ['right-to-left override', '\u202e'],
    ['zero-width space', '\u200b'],
  ])('rejects a %s control character inside any address text field', (_, character) => {
    for (const field of ['name', 'line1', 'line2', 'city'] as const) {
      const errors = errorsFor({ ...orderRequest(), shippingAddress: { ...address, [field]: `Ada${character}Lovelace` } });

      expect(errors).toEqual([{ path: `shippingAddress.${field}`, message: 'Must not contain control characters' }]);
    }
  });

  it('accepts non-ASCII letters in names and cities', () => {
    expect(validateOrderRequest({ ...orderRequest(), shippingAddress: { ...address, name: 'Zoë Ångström', city: 'München' } }).ok).toBe(true);
  });

  describe('properties', () => {
    it('never throws on arbitrary JSON, and every rejection names at least one field path', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (body) => {
          const result = validateOrderRequest(body);
          if (result.ok) return;
          expect(result.errors.length).toBeGreaterThanOrEqual(1);
          for (const error of result.errors) {
            // Known fields use dotted paths; an unknown field is named as sent (quoted when empty).
            expect(error.path.length).toBeGreaterThan(0);
            expect(error.message.length).toBeGreaterThan(0);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('never throws on arbitrary JSON values placed in any field of a valid order', () => {
      fc.assert(
        fc.property(fc.constantFrom('customerId', 'items', 'shippingAddress', 'payment'), fc.jsonValue(), (field, value) => {
          const result = validateOrderRequest({ ...orderRequest(), [field]: value });
          if (!result.ok) expect(result.errors.length).toBeGreaterThanOrEqual(1);
        }),
      );
    });

    const leaves: { path: string; place: (value: unknown) => unknown }[] = [
      { path: 'customerId', place: (value) => ({ ...orderRequest(), customerId: value }) },
      { path: 'items.0.quantity', place: (value) => ({ ...orderRequest(), items: [{ sku: 'MUG-CERAMIC', quantity: value }] }) },
      { path: 'shippingAddress.name', place: (value) => ({ ...orderRequest(), shippingAddress: { ...address, name: value } }) },
      { path: 'shippingAddress.country', place: (value) => ({ ...orderRequest(), shippingAddress: { ...address, country: value } }) },
      { path: 'payment.token', place: (value) => ({ ...orderRequest(), payment: { token: value } }) },
    ];

    it.each(leaves)('a bad value at $path is reported at exactly that path', ({ path, place }) => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const result = validateOrderRequest(place(value));
          if (result.ok) return;
          expect(result.errors.length).toBeGreaterThanOrEqual(1);
          expect(new Set(result.errors.map((error) => error.path))).toEqual(new Set([path]));
        }),
        { numRuns: 200 },
      );
    });
  });
});
