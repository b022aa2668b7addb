import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBootstrap } from '../../local/lambda/build-functions';
import type { CpuLoad } from '../../local/lambda/cpu-load';
import { LambdaService } from '../../local/lambda/lambda-service';
import type { LocalFunction } from '../../local/template/local-template';
import { localFunction } from '../support/local-function';
import { ROOT } from '../support/template';

/*
 * How many execution environments the local Lambda service runs (issue 12, break 5): the template's
 * ReservedConcurrentExecutions caps a function; otherwise environments are created on demand up to
 * a high per-function cap, within a budget across all functions, where an idle environment of
 * another function makes room. Handlers report a per-environment id so the count is observable.
 */
jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), 'lambda-pool-'));
const HANDLER = `const id = Math.random().toString(36).slice(2);
  exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms ?? 0)); return { id }; };`;

const fn = localFunction;

/** A machine with this many cores whose CPU is (or is not) saturated, whatever this one's load. */
const machine = (cores: number, saturated: boolean): CpuLoad => ({ cores, saturated: () => saturated, close: () => undefined });

interface PoolOptions {
  maxConcurrencyPerFunction: number;
  maxEnvironments?: number;
  maxBackgroundEnvironments?: number;
  clientFacing?: string[];
  cpuLoad?: CpuLoad;
}

/** The caps and budgets are the subject of most tests here: by default the CPU has room to spare. */
async function service(functions: LocalFunction[], options: PoolOptions): Promise<LambdaService> {
  const file = join(dir, 'index.js');
  writeFileSync(file, HANDLER);
  return new LambdaService(functions, new Map(functions.map((each) => [each.logicalId, file])), await buildBootstrap(ROOT, dir), {
    sharedEnvironment: {},
    cpuLoad: machine(64, false),
    ...options,
    log: () => undefined,
  });
}

const ids = (results: { ok: boolean; payload?: unknown }[]) => new Set(results.map((result) => (result.payload as { id: string }).id));

it('holds 10 concurrent calls in 10 environments under the default cap, and 2 under ReservedConcurrentExecutions: 2', async () => {
  const lambda = await service([fn('Open'), fn('Reserved', { reservedConcurrency: 2 })], { maxConcurrencyPerFunction: 32 });
  try {
    const open = await Promise.all(Array.from({ length: 10 }, () => lambda.invoke('Open', { ms: 1500 })));
    const reserved = await Promise.all(Array.from({ length: 6 }, () => lambda.invoke('Reserved', { ms: 300 })));
    expect(ids(open).size).toBe(10);
    expect(ids(reserved).size).toBe(2);
  } finally {
    await lambda.close();
  }
});

it('throttles every call of a function with ReservedConcurrentExecutions: 0, as AWS does', async () => {
  const lambda = await service([fn('Off', { reservedConcurrency: 0 })], { maxConcurrencyPerFunction: 32 });
  try {
    expect(await lambda.invoke('Off', {})).toMatchObject({ ok: false, error: { errorType: 'TooManyRequestsException' } });
  } finally {
    await lambda.close();
  }
});

it('keeps every function together within maxEnvironments, shutting an idle one of another function to make room', async () => {
  const lambda = await service([fn('A'), fn('B')], { maxConcurrencyPerFunction: 32, maxEnvironments: 3 });
  try {
    const a = await Promise.all(Array.from({ length: 3 }, () => lambda.invoke('A', { ms: 1500 })));
    expect(ids(a).size).toBe(3);
    // All three A environments are idle now: B takes the place of one of them.
    const b = await Promise.all(Array.from({ length: 2 }, () => lambda.invoke('B', { ms: 1500 })));
    expect(b.every((result) => result.ok)).toBe(true);
    const statistics = await lambda.heapStatistics();
    expect(statistics.length).toBeLessThanOrEqual(3);
    expect(statistics.filter((entry) => entry.functionId === 'B')).toHaveLength(ids(b).size);
  } finally {
    await lambda.close();
  }
});

it('keeps the functions no API route reaches within maxBackgroundEnvironments, while an API function still grows', async () => {
  const route = { method: 'POST', path: '/orders', apiKeyRequired: true, apiLogicalId: 'Api' };
  const lambda = await service([fn('TaskA'), fn('TaskB'), fn('Api', { routes: [route] }), fn('Socket')], { maxConcurrencyPerFunction: 32, maxBackgroundEnvironments: 3, clientFacing: ['Socket'] });
  try {
    // A WebSocket route's function has no REST route but serves clients: it grows like an API function.
    const socket = Promise.all(Array.from({ length: 5 }, () => lambda.invoke('Socket', { ms: 1500 })));
    const [tasksA, tasksB, api] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => lambda.invoke('TaskA', { ms: 600 }))),
      Promise.all(Array.from({ length: 6 }, () => lambda.invoke('TaskB', { ms: 600 }))),
      Promise.all(Array.from({ length: 5 }, () => lambda.invoke('Api', { ms: 1500 }))),
    ]);
    expect([...tasksA, ...tasksB, ...api].every((result) => result.ok)).toBe(true);
    // Every task call ran, queued behind the budget; each task function had one environment of its own.
    expect(ids(tasksA).size + ids(tasksB).size).toBeLessThanOrEqual(4);
    expect(ids(tasksA).size).toBeGreaterThanOrEqual(1);
    expect(ids(tasksB).size).toBeGreaterThanOrEqual(1);
    expect(ids(api).size).toBe(5);
    expect(ids(await socket).size).toBe(5);
    const statistics = await lambda.heapStatistics();
    expect(statistics.filter((entry) => entry.functionId.startsWith('Task')).length).toBeLessThanOrEqual(4);
  } finally {
    await lambda.close();
  }
});

it("never makes one background function wait on another's queue: each may always have one environment", async () => {
  const lambda = await service([fn('Upstream'), fn('Downstream')], { maxConcurrencyPerFunction: 32, maxBackgroundEnvironments: 2 });
  try {
    const upstream = Promise.all(Array.from({ length: 12 }, () => lambda.invoke('Upstream', { ms: 800 })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    expect(await lambda.invoke('Downstream', { ms: 10 })).toMatchObject({ ok: true });
    // Upstream's queue needs about 12 × 800 ms ÷ 2 environments; Downstream is not behind it.
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await upstream).every((result) => result.ok)).toBe(true);
  } finally {
    await lambda.close();
  }
});

it('on a saturated CPU, makes short calls take turns on the environments a function has, one per core', async () => {
  const saturated = await service([fn('Busy')], { maxConcurrencyPerFunction: 32, cpuLoad: machine(1, true) });
  const idle = await service([fn('Busy')], { maxConcurrencyPerFunction: 32 });
  try {
    // 4 × 200 ms in turn is under the saturated grace (1 s): each waiting call gets the busy one.
    expect(ids(await Promise.all(Array.from({ length: 4 }, () => saturated.invoke('Busy', { ms: 200 })))).size).toBe(1);
    // With CPU to spare, each call that waits 100 ms gets an environment of its own.
    expect(ids(await Promise.all(Array.from({ length: 4 }, () => idle.invoke('Busy', { ms: 1000 })))).size).toBe(4);
  } finally {
    await Promise.all([saturated.close(), idle.close()]);
  }
});

it('on a saturated CPU, still gives a call that would wait past the saturated grace an environment of its own', async () => {
  const lambda = await service([fn('Holding')], { maxConcurrencyPerFunction: 32, cpuLoad: machine(1, true) });
  try {
    // Calls that hold their environment (Prefer: wait) are not queued behind one another for long.
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 3 }, () => lambda.invoke('Holding', { ms: 3000 })));
    expect(ids(results).size).toBe(3);
    // One after another would take 9 s; the last one starts after the saturated grace and a cold start.
    expect(Date.now() - started).toBeLessThan(7000);
  } finally {
    await lambda.close();
  }
});

it('starts at most one environment per core of a function at a time, so a burst does not start one per waiting call at once', async () => {
  const lambda = await service([fn('Burst')], { maxConcurrencyPerFunction: 32, cpuLoad: machine(1, false) });
  try {
    const results = await Promise.all(Array.from({ length: 12 }, () => lambda.invoke('Burst', { ms: 150 })));
    expect(results.every((result) => result.ok)).toBe(true);
    // Twelve waiting calls time out together after 100 ms; one at a time, environments free up before most of them would start.
    expect(ids(results).size).toBeLessThan(12);
  } finally {
    await lambda.close();
  }
});
