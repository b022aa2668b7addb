/*
 * EventBridge event patterns, as AWS documents them ("Amazon EventBridge event patterns" and
 * "Content filtering"): a pattern is an object whose leaves are arrays of matchers; an event
 * matches when every field of the pattern matches (a field whose value in the event is an array
 * matches when any element does). No npm package implements these semantics with upkeep (AWS's own
 * matcher, event-ruler, is Java), so this follows the documentation, tested table by table in
 * tests/unit/local/event-pattern.test.ts. The same matcher filters event source mappings
 * (FilterCriteria), which use the same syntax.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class EventPatternError extends Error {
  override name = 'InvalidEventPatternException';
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/** `{prefix}`, `{suffix}` and `{equals-ignore-case}`, also as `anything-but`'s operand. */
function stringMatcher(matcher: Record<string, unknown>, value: unknown): boolean | undefined {
  if (typeof value !== 'string') return 'prefix' in matcher || 'suffix' in matcher || 'equals-ignore-case' in matcher || 'wildcard' in matcher ? false : undefined;
  const ignoreCase = (operand: unknown) => (isObject(operand) && typeof operand['equals-ignore-case'] === 'string' ? { text: operand['equals-ignore-case'].toLowerCase(), subject: value.toLowerCase() } : { text: String(operand), subject: value });
  if ('prefix' in matcher) {
    const { text, subject } = ignoreCase(matcher.prefix);
    return subject.startsWith(text);
  }
  if ('suffix' in matcher) {
    const { text, subject } = ignoreCase(matcher.suffix);
    return subject.endsWith(text);
  }
  if ('equals-ignore-case' in matcher) return value.toLowerCase() === String(matcher['equals-ignore-case']).toLowerCase();
  if ('wildcard' in matcher) return wildcard(String(matcher.wildcard)).test(value);
  return undefined;
}

function numeric(conditions: unknown, value: unknown): boolean {
  if (typeof value !== 'number' || !Array.isArray(conditions) || conditions.length % 2 !== 0) return false;
  for (let index = 0; index < conditions.length; index += 2) {
    const operator: unknown = conditions[index];
    const operand = Number(conditions[index + 1]);
    const holds =
      operator === '=' ? value === operand
      : operator === '<' ? value < operand
      : operator === '<=' ? value <= operand
      : operator === '>' ? value > operand
      : operator === '>=' ? value >= operand
      : undefined;
    if (holds === undefined) throw new EventPatternError(`Unrecognized numeric range operator: ${String(operator)}`);
    if (!holds) return false;
  }
  return true;
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + part, 0);
}

function cidr(range: unknown, value: unknown): boolean {
  const [network, bits] = String(range).split('/');
  const base = ipv4(network ?? '');
  const address = typeof value === 'string' ? ipv4(value) : undefined;
  if (base === undefined || address === undefined) return false;
  const size = 2 ** (32 - Number(bits ?? 32));
  return Math.floor(address / size) === Math.floor(base / size);
}

/** One matcher of a leaf's array against one value (an array's element, or the field's value). */
function matchOne(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  if ('anything-but' in matcher) {
    const operand = matcher['anything-but'];
    if (isObject(operand)) return stringMatcher(operand, value) === false;
    const excluded = Array.isArray(operand) ? operand : [operand];
    return !excluded.includes(value);
  }
  if ('numeric' in matcher) return numeric(matcher.numeric, value);
  if ('cidr' in matcher) return cidr(matcher.cidr, value);
  const text = stringMatcher(matcher, value);
  if (text !== undefined) return text;
  throw new EventPatternError(`Unrecognized match type ${Object.keys(matcher).join(', ')}`);
}

/** A leaf: the field matches if any of its values matches any matcher; `exists` tests presence. */
function matchLeaf(matchers: unknown[], present: boolean, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      // exists matches leaf values only: a field holding an object does not "exist" as a leaf.
      const isLeaf = present && !isObject(value);
      return matcher.exists === true ? isLeaf : !isLeaf;
    }
    return present && values.some((candidate) => matchOne(matcher, candidate));
  });
}

/** Whether an event (or a stream record, for FilterCriteria) matches an EventBridge event pattern. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new EventPatternError('Event pattern must be a JSON object');
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') {
      if (!Array.isArray(rule)) throw new EventPatternError('$or takes an array of patterns');
      return rule.some((alternative) => matchesPattern(alternative, event));
    }
    const present = isObject(event) && key in event;
    const value = present ? event[key] : undefined;
    if (Array.isArray(rule)) return matchLeaf(rule, present, value);
    if (isObject(rule)) {
      if (Array.isArray(value)) return value.some((element) => isObject(element) && matchesPattern(rule, element));
      // A nested pattern whose every leaf is exists:false matches an absent parent too.
      return matchesPattern(rule, isObject(value) ? value : {});
    }
    throw new EventPatternError(`Event pattern field ${key} must be an object or an array of match values`);
  });
}
