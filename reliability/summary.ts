import { markdownTable } from '../tests/support/report';

/** One line of the summary table: what was tried, what was required, what was seen. */
export interface Row {
  area: string;
  check: string;
  tried: string;
  required: string;
  observed: string;
  held: boolean;
}

/** The summary table every suite's rows end up in. */
export function summaryTable(rows: Row[]): string {
  return markdownTable(
    ['Area', 'Check', 'Tried', 'Required', 'Observed', 'Held'],
    rows.map((row) => [row.area, row.check, row.tried, row.required, row.observed, row.held ? 'yes' : 'NO']),
  );
}

/** A progress line on stderr, so stdout keeps only the summary. */
export const progress = (line: string) => {
  process.stderr.write(`[reliability] ${line}\n`);
};
