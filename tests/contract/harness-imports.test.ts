import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from '../support/template';

/*
 * tests/support is the one harness that the tests, bench/ and reliability/ share. Each of them
 * imports the harness and the code under test, never one another, so a helper two of them need
 * goes into the harness instead of being imported sideways (bench/cost.ts once imported
 * reliability/context.ts, and reliability/run.ts imported bench/lib/report.ts).
 */

/** Every .ts file under a folder of the project, as a path relative to ROOT with / separators. */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => toProjectPath(join(entry.parentPath, entry.name)));
}

const toProjectPath = (absolute: string) => relative(ROOT, absolute).split(sep).join('/');

/** The module specifiers of static imports and re-exports, side-effect imports, import() and require(). */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1] ?? '');
}

type ImportMap = Record<string, string | Record<string, string>>;
const packageImports = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports?: ImportMap }).imports ?? {};

/** A specifier's project path: relative ones against the file, `#…` ones through package.json `imports`; packages give undefined. */
function target(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return toProjectPath(resolve(ROOT, dirname(file), specifier));
  if (!specifier.startsWith('#')) return undefined;
  for (const [pattern, mapped] of Object.entries(packageImports)) {
    const to = typeof mapped === 'string' ? mapped : (mapped.default ?? Object.values(mapped)[0] ?? '');
    const prefix = pattern.replace(/\*$/, '');
    if (pattern.endsWith('*') ? specifier.startsWith(prefix) : specifier === pattern) {
      return toProjectPath(resolve(ROOT, to.replace('*', specifier.slice(prefix.length))));
    }
  }
  return undefined;
}

/** Each import of a project file made by the files under these folders. */
function importsFrom(...folders: string[]): { from: string; to: string }[] {
  return folders.flatMap(sources).flatMap((from) =>
    specifiers(readFileSync(join(ROOT, from), 'utf8')).flatMap((specifier) => {
      const to = target(from, specifier);
      return to === undefined ? [] : [{ from, to }];
    }),
  );
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const crossing = (edges: { from: string; to: string }[], forbidden: string[]) =>
  edges.filter(({ to }) => forbidden.some((folder) => within(to, folder))).map(({ from, to }) => `${from} → ${to}`);

describe('one harness: bench/, reliability/ and tests/support import no one another', () => {
  const bench = importsFrom('bench');
  const reliability = importsFrom('reliability');
  const harness = importsFrom('tests/support');

  it('reads every import form, so a dynamic import or a re-export cannot slip past', () => {
    const source = [
      "import { a } from '../x';",
      "import type { B } from \"./y\";",
      "export { c } from '../z';",
      "import '../side-effect';",
      "const { d } = await import('../lazy');",
      "const e = require('../required');",
    ].join('\n');
    expect(specifiers(source)).toEqual(['../x', './y', '../z', '../side-effect', '../lazy', '../required']);
  });

  it('sees bench/ and reliability/ importing the harness (the scan is not empty)', () => {
    expect(bench.some(({ to }) => within(to, 'tests/support'))).toBe(true);
    expect(reliability.some(({ to }) => within(to, 'tests/support'))).toBe(true);
  });

  it('bench/ imports nothing from reliability/', () => {
    expect(crossing(bench, ['reliability'])).toEqual([]);
  });

  it('reliability/ imports nothing from bench/', () => {
    expect(crossing(reliability, ['bench'])).toEqual([]);
  });

  it('tests/support imports nothing from bench/, reliability/ or the test suites that use it', () => {
    const suites = readdirSync(join(ROOT, 'tests'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'support')
      .map((entry) => `tests/${entry.name}`);
    expect(crossing(harness, ['bench', 'reliability', ...suites])).toEqual([]);
  });
});
