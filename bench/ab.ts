import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime, UNTHROTTLED_OVERRIDES } from '../tests/support/local-runtime';
import { orderRequest } from '../tests/support/orders';
import { markdownTable, progress } from '../tests/support/report';
import { closedLoop } from './lib/load';
import { RuntimeDriver } from './lib/runtime-driver';

/*
 * `npm run bench:ab -- --base DIR`: the runtime of this tree (after) against the runtime of another
 * checkout (before; e.g. `git worktree add --detach /tmp/base HEAD~1`, with node_modules linked in),
 * both running, measured in alternating windows of the same run, so a change's before/after figures
 * share the machine's load. Orders closed-loop as bench:e2e runs them, then GET /orders/{id}.
 * Run it once with --base at this very commit first: on this shared machine an A/A run gave the
 * second runtime 0.45× the first's orders/s at c=16, so only a difference well beyond that is a finding.
 * Flags: --base DIR (required)  --levels 4,16  --seconds 5 (per window)  --rounds 3  --get-seconds 2
 */
const { values } = parseArgs({
  options: { base: { type: 'string' }, levels: { type: 'string', default: '4,16' }, seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, 'get-seconds': { type: 'string', default: '2' } },
});
if (!values.base) {
  console.error('--base DIR: the checkout to compare against');
  process.exit(2);
}
const levels = values.levels.split(',').map(Number);
const [seconds, rounds, getSeconds] = [Number(values.seconds), Number(values.rounds), Number(values['get-seconds'])];

interface Side {
  name: string;
  runtime: LocalRuntimeProcess;
  driver: RuntimeDriver;
  orders: number;
  seconds: number;
  reads: number;
  readSeconds: number;
  p99: number[];
  /** CPU seconds the runtime's process tree spent in the order windows. */
  cpu: number;
}

/** CPU seconds (user + system) of a process and all its descendants: the runtime, its stores and its execution environments. */
function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (id: number) => {
    try {
      for (const task of readdirSync(`/proc/${String(id)}/task`)) {
        const stat = readFileSync(`/proc/${String(id)}/task/${task}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
        for (const child of readFileSync(`/proc/${String(id)}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(child));
      }
    } catch {
      // A process that ended meanwhile.
    }
  };
  visit(pid);
  return ticks / 100;
}

async function start(name: string, launcher: typeof startLocalRuntime): Promise<Side> {
  const holder: { driver?: RuntimeDriver } = {};
  const runtime = await launcher(newStateDir(), { fresh: true, retainOutput: false, parameterOverrides: UNTHROTTLED_OVERRIDES, onOutput: (chunk) => holder.driver?.onOutput(chunk) });
  holder.driver = new RuntimeDriver({ apiUrl: runtime.info.apiUrl, apiKey: runtime.info.apiKeys[0]?.value ?? '' }, orderRequest({ customerId: `ab-${name}` }));
  return { name, runtime, driver: holder.driver, orders: 0, seconds: 0, reads: 0, readSeconds: 0, p99: [], cpu: 0 };
}

async function window(side: Side, concurrency: number): Promise<void> {
  const cpuBefore = treeCpuSeconds(side.runtime.info.pid);
  const level = await closedLoop(side.name, side.driver, concurrency, seconds);
  side.cpu += treeCpuSeconds(side.runtime.info.pid) - cpuBefore;
  side.orders += level.completed;
  side.seconds += seconds;
  const orderId = await side.driver.place();
  await side.driver.completion(orderId);
  const key = side.runtime.info.apiKeys[0]?.value ?? '';
  const reads = await autocannon({ url: `${side.runtime.info.apiUrl}/orders/${orderId}`, headers: { 'x-api-key': key }, connections: concurrency, duration: getSeconds });
  if (reads.non2xx > 0 || reads.errors > 0) throw new Error(`${side.name}: GET answered ${String(reads.non2xx)} non-2xx, ${String(reads.errors)} errors`);
  side.reads += reads.requests.total;
  side.readSeconds += getSeconds;
  side.p99.push(reads.latency.p99);
}

async function main(): Promise<void> {
  const base = resolve(values.base ?? '');
  const { startLocalRuntime: startBase } = (await import(join(base, 'tests', 'support', 'local-runtime.ts'))) as { startLocalRuntime: typeof startLocalRuntime };
  const before = await start('before', startBase);
  const after = await start('after', startLocalRuntime);
  const rows: (string | number)[][] = [];
  try {
    for (const concurrency of levels) {
      const fresh = (side: Side): Side => ({ ...side, orders: 0, seconds: 0, reads: 0, readSeconds: 0, p99: [], cpu: 0 });
      const sides: [Side, Side] = [fresh(before), fresh(after)];
      // Environments for this level first, outside the windows: a cold start lands on whichever side happens to grow, not on the change.
      for (const side of sides) await closedLoop(`${side.name} warm-up`, side.driver, concurrency, seconds);
      for (let round = 0; round < rounds; round += 1) {
        // Alternating which goes first, so neither always runs after the other's backlog.
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
          progress(`c=${String(concurrency)} round ${String(round + 1)}: ${side.name}`);
          await window(side, concurrency);
        }
      }
      const [b, a] = sides;
      const rate = (side: Side) => Math.round((side.orders / side.seconds) * 10) / 10;
      const read = (side: Side) => Math.round(side.reads / side.readSeconds);
      const cpu = (side: Side) => ((side.cpu * 1000) / Math.max(1, side.orders)).toFixed(1);
      rows.push([concurrency, rate(b), rate(a), `${(rate(a) / rate(b)).toFixed(2)}×`, `${cpu(b)} / ${cpu(a)}`, read(b), read(a), `${(read(a) / read(b)).toFixed(2)}×`, `${String(Math.max(...b.p99))} / ${String(Math.max(...a.p99))}`]);
    }
  } finally {
    for (const side of [before, after]) {
      side.driver.close();
      await side.runtime.stop();
    }
  }
  console.log(`\n## Before (${base}) and after (this tree), alternating ${String(seconds)} s windows, ${String(rounds)} rounds per level\n`);
  console.log(markdownTable(['c', 'orders/s before', 'after', 'after ÷ before', 'CPU ms per order before / after', 'GET req/s before', 'after', 'after ÷ before', 'GET p99 ms before / after (worst window)'], rows));
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
