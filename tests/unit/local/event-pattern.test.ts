import { EventPatternError, matchesPattern } from '../../../local/eventbridge/event-pattern';

/** EventBridge event patterns as AWS documents them, one row per rule of the matching semantics. */
const EVENT = {
  version: '0',
  source: 'order-processing',
  'detail-type': 'OrderFailed',
  account: '000000000000',
  region: 'us-east-1',
  resources: ['arn:aws:states:us-east-1:000000000000:execution:x'],
  detail: {
    version: '1',
    orderId: 'ord-123',
    code: 'CompensationFailed',
    totals: { amountMinor: 2599, currency: 'EUR' },
    items: [{ sku: 'sku-1', quantity: 2 }, { sku: 'sku-2', quantity: 1 }],
    tags: ['priority', 'gift'],
    ip: '10.0.3.7',
    nothing: null,
    flag: false,
  },
};

const cases: [string, unknown, boolean][] = [
  ['exact string', { source: ['order-processing'] }, true],
  ['exact string, another value', { source: ['payments'] }, false],
  ['any of several values', { 'detail-type': ['OrderPlaced', 'OrderFailed'] }, true],
  ['every field must match', { source: ['order-processing'], 'detail-type': ['OrderPlaced'] }, false],
  ['nested detail field', { detail: { code: ['CompensationFailed'] } }, true],
  ['deeper nesting', { detail: { totals: { currency: ['EUR'] } } }, true],
  ['a missing field does not match a value', { detail: { missing: ['x'] } }, false],
  ['exact number', { detail: { totals: { amountMinor: [2599] } } }, true],
  ['a number does not match its string', { detail: { totals: { amountMinor: ['2599'] } } }, false],
  ['null matches null', { detail: { nothing: [null] } }, true],
  ['boolean', { detail: { flag: [false] } }, true],
  ['prefix', { detail: { code: [{ prefix: 'Compensation' }] } }, true],
  ['prefix that does not match', { detail: { code: [{ prefix: 'Payment' }] } }, false],
  ['prefix ignoring case', { detail: { code: [{ prefix: { 'equals-ignore-case': 'compensation' } }] } }, true],
  ['suffix', { detail: { code: [{ suffix: 'Failed' }] } }, true],
  ['equals-ignore-case', { detail: { code: [{ 'equals-ignore-case': 'compensationfailed' }] } }, true],
  ['wildcard', { detail: { orderId: [{ wildcard: 'ord-*' }] } }, true],
  ['wildcard that does not match', { detail: { orderId: [{ wildcard: 'x-*' }] } }, false],
  ['anything-but a value', { detail: { code: [{ 'anything-but': 'PaymentDeclined' }] } }, true],
  ['anything-but the value itself', { detail: { code: [{ 'anything-but': ['PaymentDeclined', 'CompensationFailed'] }] } }, false],
  ['anything-but a prefix', { detail: { code: [{ 'anything-but': { prefix: 'Compensation' } }] } }, false],
  ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  ['numeric range', { detail: { totals: { amountMinor: [{ numeric: ['>', 0, '<=', 2599] }] } } }, true],
  ['numeric range excluding the value', { detail: { totals: { amountMinor: [{ numeric: ['<', 2599] }] } } }, false],
  ['numeric equality', { detail: { totals: { amountMinor: [{ numeric: ['=', 2599] }] } } }, true],
  ['numeric on a string never matches', { detail: { code: [{ numeric: ['>', 0] }] } }, false],
  ['exists true on a present leaf', { detail: { orderId: [{ exists: true }] } }, true],
  ['exists true on an absent field', { detail: { missing: [{ exists: true }] } }, false],
  ['exists false on an absent field', { detail: { missing: [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { orderId: [{ exists: false }] } }, false],
  ['exists true on an object (not a leaf)', { detail: { totals: [{ exists: true }] } }, false],
  ['exists false under an absent parent', { detail: { absentParent: { child: [{ exists: false }] } } }, true],
  ['array field: any element matches', { detail: { tags: ['gift'] } }, true],
  ['array field: no element matches', { detail: { tags: ['bulk'] } }, false],
  ['array of objects: a nested pattern matches any element', { detail: { items: { sku: ['sku-2'] } } }, true],
  ['array of objects: no element matches', { detail: { items: { sku: ['sku-9'] } } }, false],
  ['resources array', { resources: [{ prefix: 'arn:aws:states:' }] }, true],
  ['cidr', { detail: { ip: [{ cidr: '10.0.0.0/16' }] } }, true],
  ['cidr outside', { detail: { ip: [{ cidr: '10.1.0.0/16' }] } }, false],
  ['$or: one branch matches', { $or: [{ detail: { code: ['X'] } }, { source: ['order-processing'] }] }, true],
  ['$or: no branch matches', { $or: [{ detail: { code: ['X'] } }, { source: ['Y'] }] }, false],
  ['an empty matcher list matches nothing', { source: [] }, false],
  ['an empty pattern matches everything', {}, true],
];

describe('EventBridge event patterns', () => {
  it.each(cases)('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, EVENT)).toBe(expected);
  });

  it('refuses a pattern that is not an object, a bad leaf, or an unknown matcher', () => {
    expect(() => matchesPattern(['x'], EVENT)).toThrow(EventPatternError);
    expect(() => matchesPattern({ source: 'order-processing' }, EVENT)).toThrow(EventPatternError);
    expect(() => matchesPattern({ source: [{ regex: '.*' }] }, EVENT)).toThrow(EventPatternError);
    expect(() => matchesPattern({ detail: { totals: { amountMinor: [{ numeric: ['~', 1] }] } } }, EVENT)).toThrow(EventPatternError);
  });
});
