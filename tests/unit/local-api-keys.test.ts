import { parseLocalApiKeys, samLocalApiKeys } from '#api/local-api-keys';
import { ConfigurationError } from '#platform/config';

const LOCAL_KEYS = 'localkey0001=local-storefront-key-0000000000000001,localkey0002=local-partner-key-00000000000000000002';

describe('LOCAL_API_KEYS (the keys sam local accepts in X-Api-Key)', () => {
  it('maps each key value to its id, and a missing or unknown value to nothing', () => {
    const keys = parseLocalApiKeys(LOCAL_KEYS);

    expect(keys.size).toBe(2);
    expect(keys.identify('local-storefront-key-0000000000000001')).toBe('localkey0001');
    expect(keys.identify('local-partner-key-00000000000000000002')).toBe('localkey0002');
    expect(keys.identify('local-storefront-key-0000000000000002')).toBeUndefined();
    expect(keys.identify('localkey0001')).toBeUndefined();
    expect(keys.identify('')).toBeUndefined();
    expect(keys.identify(undefined)).toBeUndefined();
  });

  it('accepts spaces around entries and an empty list', () => {
    expect(parseLocalApiKeys(' a=value-1 , b=value-2 ,').identify('value-2')).toBe('b');
    expect(parseLocalApiKeys('').size).toBe(0);
  });

  it.each([
    ['an entry without =', 'localkey0001'],
    ['an empty id', '=value'],
    ['an empty value', 'id='],
    ['a value with a space', 'id=two words'],
    ['a repeated id', 'a=value-1,a=value-2'],
    ['a repeated value', 'a=value-1,b=value-1'],
  ])('refuses %s with a ConfigurationError that does not echo the key values', (_case, raw) => {
    expect(() => parseLocalApiKeys(raw)).toThrow(ConfigurationError);
    expect(() => parseLocalApiKeys(raw)).not.toThrow(/value-/);
  });

  it('is read only under sam local: with AWS_SAM_LOCAL unset even a malformed value is ignored', () => {
    expect(samLocalApiKeys({ LOCAL_API_KEYS: 'not a key list' })).toBeUndefined();
    expect(samLocalApiKeys({ AWS_SAM_LOCAL: 'false', LOCAL_API_KEYS: LOCAL_KEYS })).toBeUndefined();
    expect(samLocalApiKeys({ AWS_SAM_LOCAL: 'true', LOCAL_API_KEYS: LOCAL_KEYS })?.size).toBe(2);
    expect(samLocalApiKeys({ AWS_SAM_LOCAL: 'true' })?.size).toBe(0);
    expect(() => samLocalApiKeys({ AWS_SAM_LOCAL: 'true', LOCAL_API_KEYS: 'not a key list' })).toThrow(ConfigurationError);
  });
});
