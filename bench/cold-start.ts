import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFunction } from '../local/lambda/build-functions';
import type { LocalFunction } from '../local/template/local-template';
import { markdownTable, progress, quantile, writeResults } from '../tests/support/report';
import { localTemplate, ROOT } from '../tests/support/template';

/*
 * `npm run bench:cold-start` (part of `npm run bench`): each function built as `sam build` builds
 * it, with the esbuild settings in its template Metadata, beside the same function built with SAM's
 * quick-start defaults (Minify, Sourcemap, Target es2020, run with --enable-source-maps, as the
 * `sam init` Node.js templates ship). For each: the bundle size, and the module init time (the
 * time to require() the handler module) as the median of --runs fresh Node processes, the two
 * builds alternating run by run so machine noise hits both alike.
 * Flags: --runs 25  --only CreateOrderFunction,GetOrderFunction
 *        --try '{"Minify":true}'  (a candidate: these BuildProperties over the template's, measured
 *        in place of the shipped build, to choose settings by measurement before changing the template)
 */
const { values } = parseArgs({ options: { runs: { type: 'string' }, only: { type: 'string' }, try: { type: 'string' } } });
const candidate = values.try ? (JSON.parse(values.try) as Record<string, unknown>) : undefined;
const runs = Number(values.runs ?? 25);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a positive integer');
  process.exit(2);
}
const only = values.only?.split(',');

/** The quick-start Metadata of `sam init` (nodejs hello-world-typescript / step-func templates). */
const QUICK_START = { Minify: true, Sourcemap: true, Target: 'es2020' };
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const INIT_TARGET_RATIO = 0.5;
const SIZE_TARGET_KB = 500;

/** Milliseconds to require() the bundle in a fresh Node process with the function's environment. */
function initMs(bundle: string, environment: Record<string, string>, sourceMaps: boolean): number {
  const script = `const t = performance.now(); require(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - t));`;
  const output = execFileSync(NODE, [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...environment },
    encoding: 'utf8',
  });
  return Number(output);
}

interface Row {
  function: string;
  shippedKb: number;
  quickStartKb: number;
  shippedMs: { p50: number; p90: number };
  quickStartMs: { p50: number; p90: number };
  ratio: number;
}

async function main(): Promise<void> {
  const template = localTemplate();
  const functions = template.functions.filter((fn) => !only || only.includes(fn.logicalId));
  // Under the project, so a build with External modules resolves them from node_modules (Lambda's NODE_PATH has the runtime's SDK).
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, '.local', 'cold-start-'));
  const rows: Row[] = [];
  // What module scope reads at init; no call leaves the process during init. AWS_EXECUTION_ENV is
  // set as Lambda sets it, so the Tracer is on (and the X-Ray SDK loaded) as in a deployed function.
  const sharedEnvironment = {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'cold-start-bench',
    AWS_SECRET_ACCESS_KEY: 'cold-start-bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    LAMBDA_TASK_ROOT: outDir,
    NODE_ENV: 'production',
  };
  try {
    for (const fn of functions) {
      progress(`${fn.logicalId}: building as shipped and with the quick-start defaults`);
      const shippedFn: LocalFunction = candidate ? { ...fn, buildProperties: { ...fn.buildProperties, ...candidate } } : fn;
      const shipped = await buildFunction(shippedFn, ROOT, join(outDir, 'shipped'));
      const quickStartFn: LocalFunction = { ...fn, buildProperties: { ...fn.buildProperties, ...QUICK_START, MainFields: undefined, Format: undefined, External: undefined } };
      const quickStart = await buildFunction(quickStartFn, ROOT, join(outDir, 'quick-start'));
      const environment = { ...fn.environment, ...sharedEnvironment, AWS_LAMBDA_FUNCTION_NAME: fn.name, _HANDLER: fn.handler };
      const times = { shipped: [] as number[], quickStart: [] as number[] };
      for (let run = 0; run < runs; run++) {
        // Alternate which build goes first, so neither always follows the other.
        const order = run % 2 === 0 ? (['shipped', 'quickStart'] as const) : (['quickStart', 'shipped'] as const);
        for (const which of order) times[which].push(initMs(which === 'shipped' ? shipped : quickStart, environment, which === 'quickStart'));
      }
      const stats = (samples: number[]) => ({ p50: Math.round(quantile(samples, 0.5) * 10) / 10, p90: Math.round(quantile(samples, 0.9) * 10) / 10 });
      const row: Row = {
        function: fn.logicalId,
        shippedKb: Math.round(statSync(shipped).size / 1024),
        quickStartKb: Math.round(statSync(quickStart).size / 1024),
        shippedMs: stats(times.shipped),
        quickStartMs: stats(times.quickStart),
        ratio: 0,
      };
      row.ratio = Math.round((row.shippedMs.p50 / row.quickStartMs.p50) * 100) / 100;
      rows.push(row);
      progress(`${fn.logicalId}: ${String(row.shippedKb)} KB, init ${String(row.shippedMs.p50)} ms vs quick-start ${String(row.quickStartMs.p50)} ms (${String(row.ratio)}×)`);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }

  console.log(`\n## Cold start: module init, median of ${String(runs)} fresh Node ${process.version} processes per build\n`);
  console.log(
    markdownTable(
      ['function', 'bundle KB (shipped / quick-start)', 'init ms p50 (shipped / quick-start)', 'init ms p90', 'ratio', `≤ ${String(INIT_TARGET_RATIO)}×`, `≤ ${String(SIZE_TARGET_KB)} KB`],
      rows.map((row) => [
        row.function,
        `${String(row.shippedKb)} / ${String(row.quickStartKb)}`,
        `${String(row.shippedMs.p50)} / ${String(row.quickStartMs.p50)}`,
        `${String(row.shippedMs.p90)} / ${String(row.quickStartMs.p90)}`,
        `${String(row.ratio)}×`,
        row.ratio <= INIT_TARGET_RATIO ? 'yes' : 'NO',
        row.shippedKb <= SIZE_TARGET_KB ? 'yes' : 'NO',
      ]),
    ),
  );
  if (candidate) console.log(`\n(shipped column: the template's settings with ${JSON.stringify(candidate)} over them)`);
  const path = writeResults(candidate ? 'cold-start-candidate' : 'cold-start', { runs, quickStart: QUICK_START, ...(candidate ? { candidate } : {}), rows });
  progress(`wrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
