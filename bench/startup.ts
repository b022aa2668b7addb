import { readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newStateDir, startLocalRuntime } from '../tests/support/local-runtime';
import { markdownTable, progress, quantile, writeResults } from '../tests/support/report';

/*
 * `npm run bench:startup`: cold start-up of `npm start` with nothing changed, with the bundle cache
 * (local/lambda/function-bundler.ts) and without it, interleaved in one run on one state directory.
 * "Without" deletes the bundles' manifests first, so every function is built as before the cache;
 * everything else (the template check's cached verdict, the data) is the same for both. Wall time
 * is from spawning `tsx local/main.ts` to its runtime.json; startupMs is the runtime's own figure.
 * Flags: --runs 3
 */
const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const runs = Number(values.runs ?? 3);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a positive integer');
  process.exit(2);
}
const TARGET_MS = 3000;

interface Sample {
  wallMs: number;
  startupMs: number;
  bundleMs: number;
  built: number;
  cached: number;
}

async function startOnce(stateDir: string): Promise<Sample> {
  const began = performance.now();
  const runtime = await startLocalRuntime(stateDir, { deadlineMs: 180_000 });
  const wallMs = Math.round(performance.now() - began);
  await runtime.stop();
  const { startupMs, bundles } = runtime.info;
  return { wallMs, startupMs, bundleMs: bundles.ms, built: bundles.built, cached: bundles.cached };
}

function dropManifests(stateDir: string): void {
  const buildDir = join(stateDir, 'build');
  for (const entry of readdirSync(buildDir, { withFileTypes: true })) {
    if (entry.isDirectory()) rmSync(join(buildDir, entry.name, 'build-manifest.json'), { force: true });
  }
}

async function main(): Promise<void> {
  const stateDir = newStateDir();
  const samples = { uncached: [] as Sample[], cached: [] as Sample[] };
  try {
    progress('warm-up start (the template check runs once and its verdict is cached)');
    await startOnce(stateDir);
    for (let run = 0; run < runs; run++) {
      // Alternate the order, so neither always follows the other.
      for (const which of run % 2 === 0 ? (['uncached', 'cached'] as const) : (['cached', 'uncached'] as const)) {
        if (which === 'uncached') dropManifests(stateDir);
        const sample = await startOnce(stateDir);
        samples[which].push(sample);
        progress(`${which}: wall ${String(sample.wallMs)} ms, startupMs ${String(sample.startupMs)}, bundles ${String(sample.bundleMs)} ms (${String(sample.built)} built, ${String(sample.cached)} cached)`);
      }
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  const median = (list: Sample[], field: keyof Sample) => Math.round(quantile(list.map((sample) => sample[field]), 0.5));
  const rows = (['uncached', 'cached'] as const).map((which) => {
    const list = samples[which];
    return [
      which === 'uncached' ? 'before: every bundle built' : 'after: bundles from the cache',
      median(list, 'wallMs'),
      median(list, 'startupMs'),
      median(list, 'bundleMs'),
      `${String(median(list, 'built'))} / ${String(median(list, 'cached'))}`,
      median(list, 'startupMs') <= TARGET_MS ? 'yes' : 'NO',
    ];
  });
  console.log(`\n## npm start with nothing changed: median of ${String(runs)} starts each (load average ${loadavg().map((load) => load.toFixed(1)).join(' ')})\n`);
  console.log(markdownTable(['start', 'wall ms (spawn → runtime.json)', 'startupMs', 'bundles ms', 'built / cached', `startupMs ≤ ${String(TARGET_MS)}`], rows));
  progress(`wrote ${writeResults('startup', { runs, samples, loadAverage: loadavg() })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
