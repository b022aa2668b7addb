import type { Row } from './summary';

/**
 * Scans every log line the runtime printed (function logs, REPORT lines, runtime lines; the
 * start-up banner, which shows the local keys on purpose, is left out) for payment tokens, API
 * key values and the street lines the suites sent.
 */
export function scanLogs(output: string, apiKeyValues: string[], streetLines: string[], extra: [string, RegExp][] = []): Row {
  const lines = output.split('\n').filter((line) => line.startsWith('{') || line.startsWith('[local]') || line.startsWith('REPORT'));
  const patterns: [string, RegExp][] = [
    ['payment token', /\btok_[A-Za-z0-9_]+/],
    ...apiKeyValues.map((value): [string, RegExp] => ['API key value', new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))]),
    ...streetLines.map((street): [string, RegExp] => ['street address', new RegExp(street.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))]),
    ...extra,
  ];
  const hits = new Map<string, number>();
  const examples: string[] = [];
  for (const line of lines) {
    for (const [kind, pattern] of patterns) {
      if (pattern.test(line)) {
        hits.set(kind, (hits.get(kind) ?? 0) + 1);
        if (examples.length < 2) examples.push(line.slice(0, 160));
      }
    }
  }
  return {
    area: 'Security',
    check: 'log scan: tokens, API key values, street addresses',
    tried: `${String(lines.length)} log lines from the whole run`,
    required: '0 hits',
    observed: hits.size === 0 ? '0 hits' : `${JSON.stringify([...hits])} e.g. ${examples.join(' | ')}`,
    held: hits.size === 0,
  };
}
