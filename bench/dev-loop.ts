import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig, startRuntime } from '../local/runtime';
import { copyProject, probeHandlerSource, writeMarkedAsl } from '../tests/support/project-copy';
import { markdownTable, progress, quantile, writeResults } from '../tests/support/report';
import { ROOT } from '../tests/support/template';

/*
 * `npm run bench:dev-loop`: the developer loop's save → live latency (docs/dev-loop.md), on a copy of
 * the project in a temp dir with the runtime watching it. Each sample saves a change and measures
 * until it is observable: a handler (an invoke returns the new code's answer), a template
 * environment variable (an invoke sees the new value), an ASL file (the runtime reports the new
 * definition served). Also the esbuild service's memory once every function's context is built.
 * Flags: --runs 7
 */
const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const runs = Number(values.runs ?? 7);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a positive integer');
  process.exit(2);
}
const TARGET_MS = 1000;

/** Resident memory of this process's esbuild children (the build service), in MB. */
function esbuildRssMb(): number {
  const output = execFileSync('ps', ['-o', 'rss=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return Math.round(
    output
      .split('\n')
      .filter((line) => line.includes('esbuild'))
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]), 0) / 1024,
  );
}

async function main(): Promise<void> {
  const project = copyProject('dev-loop-bench-');
  const stateDir = mkdtempSync(join(tmpdir(), 'dev-loop-bench-state-'));
  const handlerPath = join(project.root, 'functions', 'list-products', 'index.ts');
  const aslPath = join(project.root, 'statemachine', 'order-processing.asl.json');
  const templatePath = join(project.root, 'template.yaml');
  writeFileSync(handlerPath, probeHandlerSource('start'));
  writeMarkedAsl(aslPath, 'start');
  const lines: string[] = [];
  const config = loadConfig(join(ROOT, 'local', 'config.json'));
  config.ports = { api: 0, lambda: 0, stepfunctions: 0, dynamodb: 0, s3: 0, console: 0, eventbridge: 0, sqs: 0, dynamodbstreams: 0, websocket: 0, secretsmanager: 0 };
  progress('starting the runtime on a copy of the project, watching');
  const runtime = await startRuntime({ rootDir: project.root, templatePath, stateDir, fresh: true, watch: true, warmContexts: true, config, log: (line) => lines.push(line) });
  const lambda = new LambdaClient({ region: runtime.info.region, credentials: runtime.info.credentials, endpoint: runtime.info.endpoints.lambda, maxAttempts: 1 });
  const invoke = async (): Promise<{ version: string; logLevel: string }> => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'ListProductsFunction', Payload: JSON.stringify({ probe: { waitMs: 0 } }) }));
    return JSON.parse(Buffer.from(result.Payload ?? []).toString()) as { version: string; logLevel: string };
  };
  /** Milliseconds from `save()` until `live()` holds (polled; 60 s deadline). */
  const saveToLive = async (save: () => void, live: () => Promise<boolean>): Promise<number> => {
    const began = performance.now();
    save();
    while (!(await live())) {
      if (performance.now() - began > 60_000) throw new Error(`not live after 60 s:\n${lines.slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return performance.now() - began;
  };
  const samples = { handler: [] as number[], rebuild: [] as number[], environment: [] as number[], asl: [] as number[] };
  let warmMs = 0;
  let serviceMb = 0;
  try {
    const warmed = /every function's esbuild context is built \((\d+) ms/;
    for (const deadline = Date.now() + 300_000; !lines.some((line) => warmed.test(line)); ) {
      if (Date.now() > deadline) throw new Error('the contexts were not built within 5 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    warmMs = Number(warmed.exec(lines.find((line) => warmed.test(line)) ?? '')?.[1]);
    serviceMb = esbuildRssMb();
    await invoke();
    for (let run = 0; run < runs; run++) {
      const version = `run-${String(run)}`;
      samples.handler.push(await saveToLive(() => { writeFileSync(handlerPath, probeHandlerSource(version)); }, async () => (await invoke()).version === version));
      const rebuilt = [...lines].reverse().find((line) => line.startsWith('ListProductsFunction: rebuilt in'));
      samples.rebuild.push(Number(/rebuilt in (\d+) ms/.exec(rebuilt ?? '')?.[1]));
      const level = run % 2 === 0 ? 'DEBUG' : 'INFO';
      const saved = readFileSync(templatePath, 'utf8');
      const template = saved.replace(/POWERTOOLS_LOG_LEVEL: .*/, `POWERTOOLS_LOG_LEVEL: ${level}`);
      if (template === saved) throw new Error('template.yaml has no POWERTOOLS_LOG_LEVEL line this benchmark can change');
      samples.environment.push(await saveToLive(() => { writeFileSync(templatePath, template); }, async () => (await invoke()).logLevel === level));
      const before = lines.filter((line) => line.includes('OrderProcessingStateMachine: definition changed')).length;
      samples.asl.push(
        await saveToLive(
          () => { writeMarkedAsl(aslPath, version); },
          () => Promise.resolve(lines.filter((line) => line.includes('OrderProcessingStateMachine: definition changed')).length > before),
        ),
      );
      progress(`run ${String(run + 1)}: handler ${samples.handler.at(-1)?.toFixed(0) ?? ''} ms (rebuild ${String(samples.rebuild.at(-1))} ms), environment ${samples.environment.at(-1)?.toFixed(0) ?? ''} ms, ASL ${samples.asl.at(-1)?.toFixed(0) ?? ''} ms`);
      await runtime.devLoop?.settled();
    }
  } finally {
    lambda.destroy();
    await runtime.stop();
    project.remove();
    rmSync(stateDir, { recursive: true, force: true });
  }
  const row = (what: string, list: number[]) => [what, Math.round(quantile(list, 0.5)), Math.round(quantile(list, 0.9)), Math.round(Math.max(...list)), quantile(list, 0.5) <= TARGET_MS ? 'yes' : 'NO'];
  console.log(`\n## Dev loop: save → live, ${String(runs)} saves each (load average ${loadavg().map((load) => load.toFixed(1)).join(' ')})\n`);
  console.log(
    markdownTable(
      ['change saved', 'p50 ms', 'p90 ms', 'max ms', `p50 ≤ ${String(TARGET_MS)} ms`],
      [
        row('handler (functions/list-products/index.ts) → invoke answers with the new code', samples.handler),
        row('  of which: incremental esbuild rebuild', samples.rebuild),
        row('template.yaml Environment variable → invoke sees it', samples.environment),
        row('ASL file → new executions run it', samples.asl),
      ],
    ),
  );
  console.log(`\nEvery function's esbuild context built in the background after start-up: ${String(warmMs)} ms; the esbuild service then holds ${String(serviceMb)} MB RSS.`);
  progress(`wrote ${writeResults('dev-loop', { runs, samples, warmMs, esbuildServiceRssMb: serviceMb, loadAverage: loadavg() })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
