import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { newStateDir, startLocalRuntime, UNTHROTTLED_OVERRIDES } from '../tests/support/local-runtime';
import { orderRequest } from '../tests/support/orders';
import { treeRssMb } from '../tests/support/process-memory';
import { progress } from '../tests/support/report';
import { Baseline } from './lib/baseline';
import { closedLoop } from './lib/load';
import { RuntimeDriver } from './lib/runtime-driver';

/*
 * `npm run bench:profile`: where an order's CPU goes in the runtime. Orders closed-loop at --concurrency
 * for --seconds after a warm-up (--warm-up seconds of orders at c=4), then CPU seconds per order of every process and thread of the
 * runtime's tree (execution environments are the WorkerThreads, V8's GC and compiler helpers the
 * V8Workers, the stores their own processes), invocations per order by function, and output bytes.
 * With --cpu-prof the runtime writes V8 profiles of every thread (npm start -- --cpu-prof); the
 * window line gives the monotonic µs range to cut them to. With --get the window is `GET /orders/{id}`
 * of one completed order (autocannon at --concurrency) instead of orders, and CPU is per request.
 * With --baseline the same window and measure are taken of bench:e2e's emulation baseline (the
 * handlers and the ASL in one process, against its own dynalite and s3rver), for the split beside it.
 */
const { values } = parseArgs({
  options: { concurrency: { type: 'string', default: '4' }, seconds: { type: 'string', default: '15' }, 'warm-up': { type: 'string', default: '3' }, 'cpu-prof': { type: 'boolean', default: false }, get: { type: 'boolean', default: false }, baseline: { type: 'boolean', default: false } },
});

/** utime+stime ticks of a process and every descendant, by command (and by thread for the runtime). */
function cpuTicks(rootPid: number): Map<string, number> {
  const out = new Map<string, number>();
  const children = (pid: number): number[] => {
    try {
      return readdirSync(`/proc/${String(pid)}/task`).flatMap((tid) => readFileSync(`/proc/${String(pid)}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  const visit = (pid: number) => {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0').filter(Boolean).map((part) => part.split('/').pop()).slice(0, 6).join(' ');
      for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
        const stat = readFileSync(`/proc/${String(pid)}/task/${tid}/stat`, 'utf8');
        const comm = /\((.*)\)/.exec(stat)?.[1] ?? '?';
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]);
        const key = `${String(pid)} ${cmd.slice(0, 80)} :: ${comm}`;
        out.set(key, (out.get(key) ?? 0) + ticks);
      }
    } catch {
      return;
    }
    for (const child of children(pid)) visit(child);
  };
  visit(rootPid);
  return out;
}

/** GET /orders/{id} for the window, reported as a level whose orders are the requests answered. */
async function reads(apiUrl: string, apiKey: string, orderId: string): Promise<{ ordersPerSecond: number; completed: number }> {
  const result = await autocannon({ url: `${apiUrl}/orders/${orderId}`, headers: { 'x-api-key': apiKey }, connections: Number(values.concurrency), duration: Number(values.seconds) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`GET answered ${String(result.non2xx)} non-2xx, ${String(result.errors)} errors`);
  console.log(`GET p50 ${String(result.latency.p50)} ms, p99 ${String(result.latency.p99)} ms`);
  return { ordersPerSecond: result.requests.average, completed: result.requests.total };
}

const reports = new Map<string, { count: number; ms: number }>();
/** Environments started per function since the runtime started (REPORT lines with an Init Duration), warm-up included. */
const coldStarts = new Map<string, number>();
let bytes = 0;

/** CPU per order (or request) in the window, in all and by process and thread. */
function printCpu(level: { ordersPerSecond: number; completed: number }, before: Map<string, number>, after: Map<string, number>): void {
  const rows = [...after].map(([key, ticks]) => [key, ticks - (before.get(key) ?? 0)] as const).filter(([, ticks]) => ticks > 0).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ticks]) => sum + ticks, 0);
  console.log(`orders/s ${String(level.ordersPerSecond)} (${String(level.completed)} orders); CPU ${String(total / 100)} s in all, ${(total / 100 / level.completed * 1000).toFixed(1)} ms per order`);
  for (const [key, ticks] of rows.slice(0, 40)) console.log(`${(ticks / 100).toFixed(2).padStart(7)} s  ${(ticks * 10 / level.completed).toFixed(2).padStart(6)} ms/order  ${key}`);
}

/** The emulation baseline (bench/in-process.ts, as bench:e2e runs it), warmed and measured as the runtime is below. */
async function baseline(): Promise<void> {
  const emulation = new Baseline('emulation', { seconds: Number(values.seconds), getSeconds: 0, maxRunning: 64, warmUpSeconds: Number(values['warm-up']), levelWarmUpSeconds: 0 });
  try {
    await emulation.ready;
    const before = cpuTicks(emulation.pid);
    const level = await emulation.run(Number(values.concurrency));
    printCpu(level, before, cpuTicks(emulation.pid));
  } finally {
    emulation.stop();
  }
}

async function main(): Promise<void> {
  if (values.baseline) {
    if (values.get || values['cpu-prof']) throw new Error('--baseline measures orders alone, without --get or --cpu-prof');
    return baseline();
  }
  const stateDir = newStateDir();
  let driver: RuntimeDriver | undefined;
  const runtime = await startLocalRuntime(stateDir, {
    fresh: true,
    retainOutput: false,
    parameterOverrides: UNTHROTTLED_OVERRIDES,
    onOutput: (chunk) => {
      driver?.onOutput(chunk);
      for (const match of chunk.matchAll(/REPORT RequestId: \S+\tFunction: (\S+)\tDuration: ([\d.]+)[^\n]*/g)) {
        if (match[0].includes('Init Duration')) coldStarts.set(match[1] ?? '', (coldStarts.get(match[1] ?? '') ?? 0) + 1);
        const entry = reports.get(match[1] ?? '') ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += Number(match[2]);
        reports.set(match[1] ?? '', entry);
      }
      bytes += chunk.length;
    },
    args: values['cpu-prof'] ? ['--cpu-prof'] : [],
  });
  try {
    driver = new RuntimeDriver({ apiUrl: runtime.info.apiUrl, apiKey: runtime.info.apiKeys[0]?.value ?? '' }, orderRequest({ customerId: 'bench-profile' }));
    await closedLoop('warm-up', driver, 4, Number(values['warm-up']));
    const orderId = values.get ? await driver.place() : '';
    if (values.get) await driver.completion(orderId);
    const before = cpuTicks(process.pid);
    reports.clear();
    bytes = 0;
    const windowStart = process.hrtime.bigint() / 1000n;
    const level = values.get ? await reads(runtime.info.apiUrl, runtime.info.apiKeys[0]?.value ?? '', orderId) : await closedLoop('profile', driver, Number(values.concurrency), Number(values.seconds));
    const after = cpuTicks(process.pid);
    console.log(`window µs ${String(windowStart)} ${String(process.hrtime.bigint() / 1000n)}`);
    printCpu(level, before, after);
    console.log(`RSS of the runtime's process tree at the window's end: ${String(treeRssMb(runtime.info.pid))} MB`);
    console.log(`output ${String(Math.round(bytes / level.completed))} bytes/order`);
    for (const [fn, { count, ms }] of reports) console.log(`${fn}: ${(count / level.completed).toFixed(2)} invokes/order, mean ${(ms / count).toFixed(1)} ms, ${String(coldStarts.get(fn) ?? 0)} environments started since start-up`);
  } finally {
    driver?.close();
    await runtime.stop();
    progress(`state dir ${stateDir}`);
  }
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
