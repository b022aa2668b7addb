import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { buildFunction, functionBuildOptions } from '../local/lambda/build-functions';
import { markdownTable, progress, quantile, writeResults } from '../tests/support/report';
import { localTemplate, ROOT } from '../tests/support/template';

/*
 * `npm run bench:tracing`: what X-Ray tracing costs a function, at init and per invocation, in the
 * three ways a function can run. GetOrderFunction (as shipped) is required in fresh Node processes
 * and invoked --invokes times with events/get-order.json; its DynamoDB GetItem goes to a stub that
 * answers at once (so the figures are the function's own CPU, not a store's), and its segments go to
 * a UDP socket standing in for the X-Ray daemon. The modes alternate process by process.
 *   - off: POWERTOOLS_TRACE_ENABLED=false, as npm start runs functions: the X-Ray SDK is never loaded.
 *   - off, SDK loaded: the same, with a disabled Tracer constructed at init (bundled alike), which is
 *     how every function ran locally before tracing.ts deferred the Tracer: a disabled Tracer still
 *     loads the X-Ray SDK, and its cls-hooked async hook runs on every promise.
 *   - on: Lambda's variables (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, a new _X_AMZN_TRACE_ID per invoke),
 *     as a deployed function with Tracing: Active runs.
 * Flags: --processes 9 (per mode)  --invokes 400
 */
const { values } = parseArgs({ options: { processes: { type: 'string' }, invokes: { type: 'string' } } });
const processes = Number(values.processes ?? 9);
const invokes = Number(values.invokes ?? 400);
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const FUNCTION = 'GetOrderFunction';

type Mode = 'off' | 'off, SDK loaded' | 'on';
const MODES: Mode[] = ['off', 'off, SDK loaded', 'on'];

/** Runs in the child: init time, then the median of per-invoke times after a warm-up. */
const CHILD = `
const started = performance.now();
if (process.env.BENCH_OLD_TRACER) require(process.env.BENCH_OLD_TRACER);
const { handler } = require(process.env.BENCH_BUNDLE);
const initMs = performance.now() - started;
const event = JSON.parse(process.env.BENCH_EVENT);
const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
(async () => {
  const times = [];
  const total = Number(process.env.BENCH_INVOKES);
  for (let i = 0; i < total + 50; i++) {
    process.env._X_AMZN_TRACE_ID = 'Root=1-' + hex(8) + '-' + hex(24) + ';Parent=' + hex(16) + ';Sampled=1';
    const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: hex(32), invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench', memoryLimitInMB: '256', getRemainingTimeInMillis: () => 10000 };
    const t = performance.now();
    const response = await handler(event, context);
    if (i >= 50) times.push(performance.now() - t);
    if (response.statusCode !== 404) throw new Error('unexpected status ' + response.statusCode);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ initMs, invokeUs: times[Math.floor(times.length / 2)] * 1000 }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

async function main(): Promise<void> {
  const fn = localTemplate().functions.find((candidate) => candidate.logicalId === FUNCTION);
  if (!fn) throw new Error(`${FUNCTION} is not in the template`);
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, '.local', 'tracing-cost-'));
  // GetItem of an order that is not there: the handler's 404 path, after one DynamoDB call.
  const dynamo = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const daemon = createSocket('udp4');
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  daemon.on('message', () => undefined);
  const samples: Record<Mode, { initMs: number[]; invokeUs: number[] }> = { off: { initMs: [], invokeUs: [] }, 'off, SDK loaded': { initMs: [], invokeUs: [] }, on: { initMs: [], invokeUs: [] } };
  try {
    const bundle = await buildFunction(fn, ROOT, outDir);
    const oldTracer = join(outDir, 'disabled-tracer.js');
    writeFileSync(join(outDir, 'disabled-tracer.ts'), "import { Tracer } from '@aws-lambda-powertools/tracer';\nnew Tracer();\n");
    await build({ ...functionBuildOptions(fn, ROOT, outDir), entryPoints: [join(outDir, 'disabled-tracer.ts')], outfile: oldTracer });
    const base = {
      PATH: process.env.PATH ?? '',
      ...fn.environment,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${String((dynamo.address() as AddressInfo).port)}`,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${String(daemon.address().port)}`,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      NODE_ENV: 'production',
      BENCH_BUNDLE: bundle,
      BENCH_EVENT: readFileSync(join(ROOT, 'events', 'get-order.json'), 'utf8'),
      BENCH_INVOKES: String(invokes),
    };
    const environments: Record<Mode, Record<string, string>> = {
      off: { ...base, POWERTOOLS_TRACE_ENABLED: 'false' },
      'off, SDK loaded': { ...base, POWERTOOLS_TRACE_ENABLED: 'false', BENCH_OLD_TRACER: oldTracer },
      on: { ...base, LAMBDA_TASK_ROOT: outDir },
    };
    for (let run = 0; run < processes; run++) {
      // Rotate which mode goes first, so none always follows another.
      const order = MODES.map((_, index) => MODES[(index + run) % MODES.length] as Mode);
      for (const mode of order) {
        const { stdout } = await promisify(execFile)(NODE, ['-e', CHILD], { env: environments[mode], cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
        const result = JSON.parse(stdout) as { initMs: number; invokeUs: number };
        samples[mode].initMs.push(result.initMs);
        samples[mode].invokeUs.push(result.invokeUs);
      }
      progress(`process round ${String(run + 1)}/${String(processes)}`);
    }
  } finally {
    dynamo.close();
    daemon.close();
    rmSync(outDir, { recursive: true, force: true });
  }

  const p50 = (values: number[]) => quantile(values, 0.5);
  const offInit = p50(samples.off.initMs);
  const offInvoke = p50(samples.off.invokeUs);
  const rows = MODES.map((mode) => ({
    mode,
    initMs: Math.round(p50(samples[mode].initMs) * 10) / 10,
    invokeUs: Math.round(p50(samples[mode].invokeUs)),
    initRatio: Math.round((p50(samples[mode].initMs) / offInit) * 100) / 100,
    invokeRatio: Math.round((p50(samples[mode].invokeUs) / offInvoke) * 100) / 100,
  }));
  console.log(`\n## X-Ray tracing cost: ${FUNCTION}, ${String(processes)} fresh Node ${process.version} processes per mode, median invoke of ${String(invokes)}\n`);
  console.log(markdownTable(['mode', 'init ms p50', 'per invoke µs p50', 'init vs off', 'invoke vs off'], rows.map((row) => [row.mode, row.initMs, row.invokeUs, `${String(row.initRatio)}×`, `${String(row.invokeRatio)}×`])));
  const path = writeResults('tracing-cost', { function: FUNCTION, processes, invokes, rows });
  progress(`wrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
