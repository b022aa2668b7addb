import { existsSync, readFileSync } from 'node:fs';

/**
 * The complete lines of a JSON-lines file that another process may be appending to (the streams
 * fixture's handlers write what they receive this way). A read can land in the middle of an append
 * (seen in CI: a record cut at byte 294), so the text after the last newline is a line still being
 * written, left for the next read. A missing file has no lines yet.
 */
export function completeJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}
