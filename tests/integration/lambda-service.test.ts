import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBootstrap } from '../../local/lambda/build-functions';
import { LambdaService } from '../../local/lambda/lambda-service';
import type { LocalFunction } from '../../local/template/local-template';
import { localFunction } from '../support/local-function';
import { ROOT } from '../support/template';

/** The local Lambda service with small hand-written handlers: isolation, warm reuse, concurrency, timeouts, crashes. */
jest.setTimeout(30_000);

const dir = mkdtempSync(join(tmpdir(), 'lambda-service-'));
const HANDLERS: Record<string, string> = {
  Env: `let calls = 0; const loadedAt = Date.now();
    exports.handler = async (event, context) => ({ secret: process.env.SECRET ?? null, other: process.env.OTHER_SECRET ?? null,
      calls: ++calls, loadedAt, remaining: context.getRemainingTimeInMillis(), requestId: context.awsRequestId, name: context.functionName });`,
  Other: `exports.handler = async () => ({ secret: process.env.SECRET ?? null });`,
  Slow: `exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return { slept: event.ms }; };`,
  Fails: `exports.handler = async () => { const e = new Error('nope'); e.name = 'PaymentDeclined'; throw e; };`,
  Exits: `exports.handler = async () => { process.exit(3); };`,
  Echo: `exports.handler = async (event) => ({ echoed: event });`,
  Returns: `exports.handler = async (event) => {
    if (event.kind === 'date') return { at: new Date(Date.UTC(2026, 11, 2)), gone: undefined, fn: () => 0, list: [undefined] };
    if (event.kind === 'bigint') return { amount: 10n };
    if (event.kind === 'cycle') { const a = {}; a.self = a; return a; }
    if (event.kind === 'huge') return { blob: 'x'.repeat(event.bytes) };
    return undefined;
  };`,
  Hangs: `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); exports.handler = async () => 'never';`,
  Hog: `exports.handler = async () => { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random())); };`,
};

/** A test function; a 2 s Timeout keeps the timeout cases short. */
function fn(name: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return localFunction(name, { timeoutSeconds: 2, ...overrides });
}

let lambda: LambdaService;
const reports: string[] = [];

beforeAll(async () => {
  const bundles = new Map<string, string>();
  for (const [name, source] of Object.entries(HANDLERS)) {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, source);
    bundles.set(name, file);
  }
  const functions = [fn('Env', { environment: { SECRET: 'env-only' } }), fn('Other', { environment: { OTHER_SECRET: 'x' } }), fn('Slow'), fn('Fails'), fn('Exits'), fn('Hog', { timeoutSeconds: 20 }), fn('Echo', { timeoutSeconds: 30 }), fn('Returns'), fn('Hangs', { timeoutSeconds: 1 })];
  lambda = new LambdaService(functions, bundles, await buildBootstrap(ROOT, dir), {
    sharedEnvironment: { SHARED: '1' },
    maxConcurrencyPerFunction: 4,
    initTimeoutMs: 1000,
    log: (line) => reports.push(line),
  });
});
afterAll(async () => {
  await lambda.close();
});

describe('local Lambda service', () => {
  it('gives each function only its own environment and a Lambda-like context', async () => {
    const env = await lambda.invoke('Env', {});
    const other = await lambda.invoke('Other', {});
    expect(env).toMatchObject({ ok: true, payload: { secret: 'env-only', other: null, name: 'Env' } });
    expect(other).toMatchObject({ ok: true, payload: { secret: null } });
    const payload = (env as { payload: { remaining: number; requestId: string } }).payload;
    expect(payload.remaining).toBeGreaterThan(1000);
    expect(payload.remaining).toBeLessThanOrEqual(2000);
    expect(payload.requestId).toBe(env.requestId);
    expect(process.env.SECRET).toBeUndefined();
  });

  it('loads the module once and reuses the warm environment, reporting Init Duration only on the cold start', async () => {
    reports.length = 0;
    const first = (await lambda.invoke('Env', {})) as { payload: { loadedAt: number; calls: number } };
    const second = (await lambda.invoke('Env', {})) as { payload: { loadedAt: number; calls: number } };
    expect(second.payload.loadedAt).toBe(first.payload.loadedAt);
    expect(second.payload.calls).toBe(first.payload.calls + 1);
    expect(reports).toHaveLength(2);
    for (const line of reports) {
      expect(line).toMatch(/^REPORT RequestId: \S+\tFunction: Env\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 64 MB\tMax Memory Used: \d+ MB$/);
    }
    const cold = await lambda.invoke('Slow', { ms: 1 });
    expect(cold.ok).toBe(true);
    expect(reports.at(-1)).toMatch(/Init Duration: [\d.]+ ms$/);
  });

  it('runs concurrent invocations in separate environments', async () => {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 4 }, () => lambda.invoke('Slow', { ms: 300 })));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1100);
  });

  it('reports a thrown error in Lambda shape and keeps the environment', async () => {
    const result = await lambda.invoke('Fails', {});
    expect(result).toMatchObject({ ok: false, error: { errorType: 'PaymentDeclined', errorMessage: 'nope' } });
  });

  it('stops an invocation at its Timeout with Sandbox.Timedout, then starts a fresh environment', async () => {
    const result = await lambda.invoke('Slow', { ms: 5000 });
    expect(result).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    expect(result.ok ? '' : result.error.errorMessage).toContain('Task timed out after 2.00 seconds');
    expect((await lambda.invoke('Slow', { ms: 1 })).ok).toBe(true);
  });

  it('fails an init that never ends as Sandbox.Timedout after the init limit and the Timeout, and shuts that environment down', async () => {
    const started = Date.now();
    const result = await lambda.invoke('Hangs', {});
    expect(result).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    expect(result.ok ? '' : result.error.errorMessage).toContain('Task timed out after 1.00 seconds (init did not finish)');
    // initTimeoutMs (1 s here, 10 s by default) and the function's Timeout (1 s).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(reports.some((line) => line.startsWith('Hangs INIT_REPORT failed: Sandbox.Timedout'))).toBe(true);
    expect((await lambda.heapStatistics()).filter((entry) => entry.functionId === 'Hangs')).toHaveLength(0);
  });

  it('survives a handler that exits its runtime, and one that exceeds its memory', async () => {
    expect(await lambda.invoke('Exits', {})).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError' } });
    expect(await lambda.invoke('Hog', {})).toMatchObject({ ok: false, error: { errorType: 'Runtime.OutOfMemory' } });
    expect((await lambda.invoke('Env', {})).ok).toBe(true);
  });

  it('returns the environment to the pool when the payload cannot be passed to it, so later invokes do not wait for a Timeout', async () => {
    // A BigInt or a cycle has no JSON text: serializing the event throws before the handler runs.
    // More refusals than the concurrency cap (4): each leaked environment would have stayed busy for good.
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (let attempt = 0; attempt < 6; attempt++) {
      const refused = await lambda.invoke('Echo', attempt % 2 ? { amount: 10n } : cycle);
      expect(refused).toMatchObject({ ok: false, refused: true, error: { errorType: 'InvalidRequestContentException' } });
    }
    const tooDeep = JSON.parse('['.repeat(5000) + ']'.repeat(5000)) as unknown;
    expect(await lambda.invoke('Echo', tooDeep)).toMatchObject({ ok: false, refused: true });
    // Generous: the function's Timeout is 30 s, and a leaked pool makes this wait forever.
    const normal = await Promise.race([
      lambda.invoke('Echo', { n: 1 }),
      new Promise((resolve) => setTimeout(() => { resolve('still waiting after 20 s'); }, 20_000).unref()),
    ]);
    expect(normal).toMatchObject({ ok: true, payload: { echoed: { n: 1 } } });
  });

  it('passes the event and the result as JSON, as the Lambda runtime does', async () => {
    // The handler sees JSON.parse of the event: undefined and functions are gone, a Date is its ISO string.
    const echoed = await lambda.invoke('Echo', { at: new Date(Date.UTC(2026, 11, 2)), gone: undefined, fn: () => 0, kept: [undefined, 1] });
    expect(echoed).toEqual({ ok: true, requestId: echoed.requestId, payload: { echoed: { at: '2026-12-02T00:00:00.000Z', kept: [null, 1] } } });
    // The result is what JSON.stringify makes of it; undefined is null.
    const dated = await lambda.invoke('Returns', { kind: 'date' });
    expect(dated).toEqual({ ok: true, requestId: dated.requestId, payload: { at: '2026-12-02T00:00:00.000Z', list: [null] } });
    expect(await lambda.invoke('Returns', { kind: 'nothing' })).toMatchObject({ ok: true, payload: null });
    // No JSON text: the Node.js runtime's Runtime.JSONStringifyError, and the environment stays usable.
    for (const kind of ['bigint', 'cycle']) {
      expect(await lambda.invoke('Returns', { kind })).toMatchObject({ ok: false, error: { errorType: 'Runtime.JSONStringifyError', errorMessage: 'Unable to stringify response body' } });
    }
  });

  it('refuses a result above 6,291,556 bytes with Function.ResponseSizeTooLarge, and returns one just under it', async () => {
    // {"blob":"…"} is 11 bytes around the blob.
    const under = await lambda.invoke('Returns', { kind: 'huge', bytes: 6_291_556 - 11 });
    expect(under.ok).toBe(true);
    expect(await lambda.invoke('Returns', { kind: 'huge', bytes: 6_291_556 - 10 })).toMatchObject({
      ok: false,
      error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).' },
    });
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    expect(await lambda.invoke('Missing', {})).toMatchObject({ ok: false, error: { errorType: 'ResourceNotFoundException' } });
  });
});
