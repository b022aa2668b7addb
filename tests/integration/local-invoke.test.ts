import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, SFNClient } from '@aws-sdk/client-sfn';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { ROOT } from '../support/template';

/*
 * The documented `sam local invoke` sequence (docs/local-invoke.md), run through `npm run invoke`
 * (local/invoke.ts) against a fresh `npm start` runtime: create-order first, whose execution runs
 * the whole saga in the runtime, then every other fixture under events/, which replays or reads
 * what that saga recorded.
 */
jest.setTimeout(240_000);

const BIN = join(ROOT, 'node_modules', '.bin');
let runtime: LocalRuntimeProcess;
const invoked = new Set<string>();

interface Invocation {
  code: number;
  result: Record<string, unknown>;
  stdout: string;
  stderr: string;
}

/** `npm run invoke -- <args>` as a user runs it (node_modules/.bin first on PATH, so Node 24). */
function invokeCli(args: string[]): Promise<Omit<Invocation, 'result'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, 'tsx'), ['local/invoke.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run invoke ${args.join(' ')} did not finish in 60 s:\n${stderr}`));
    }, 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Invokes `fn` with events/<name>.json; stdout carries only the function's result (logs go to stderr). */
async function invokeFixture(fn: string, name: string): Promise<Invocation> {
  invoked.add(name);
  const run = await invokeCli(['--state-dir', runtime.stateDir, fn, '-e', `events/${name}.json`]);
  let result: Record<string, unknown>;
  try {
    result = JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${fn} ${name}: stdout is not the result JSON (exit ${String(run.code)}):\n${run.stdout}\n${run.stderr}`);
  }
  return { ...run, result };
}

/** An API Gateway proxy result, with its JSON body parsed. */
function apiResponse(result: Record<string, unknown>): { statusCode: number; headers: Record<string, string>; body: Record<string, unknown> } {
  return {
    statusCode: result.statusCode as number,
    headers: result.headers as Record<string, string>,
    body: JSON.parse(result.body as string) as Record<string, unknown>,
  };
}

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'events', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

const ORDER_ID = fixture('authorize-payment').orderId as string;
const DECLINED_ORDER_ID = fixture('void-payment').orderId as string;

/** Polls DescribeExecution until the execution ends (any terminal status), failing at the deadline. */
async function waitForExecution(executionArn: string, deadlineMs = 60_000): Promise<DescribeExecutionCommandOutput> {
  const sfn = new SFNClient({ endpoint: runtime.info.endpoints.sfn, region: runtime.info.region, credentials: runtime.info.credentials });
  const deadline = Date.now() + deadlineMs;
  let last: DescribeExecutionCommandOutput | undefined;
  try {
    while (Date.now() < deadline) {
      try {
        last = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (last.status !== 'RUNNING' && last.status !== 'PENDING_REDRIVE') return last;
      } catch (error) {
        // The execution starts right after CreateOrder answers; until then it does not exist.
        if (!(error instanceof Error && error.name === 'ExecutionDoesNotExist')) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    sfn.destroy();
  }
  throw new Error(`${executionArn} did not end within ${String(deadlineMs)} ms; last status ${String(last?.status)}`);
}

beforeAll(async () => {
  runtime = await startLocalRuntime(newStateDir(), { fresh: true });
});
afterAll(async () => {
  await runtime.stop();
});

describe('events/ fixtures through npm run invoke on a fresh runtime, in the documented order', () => {
  let completed: Record<string, unknown>;

  it('create-order.json places the order every other happy-path fixture names, and its saga completes', async () => {
    const { code, result } = await invokeFixture('CreateOrderFunction', 'create-order');
    expect(code).toBe(0);
    const response = apiResponse(result);
    expect(response.statusCode).toBe(202);
    expect(response.body.orderId).toBe(ORDER_ID);
    expect(response.headers.Location).toBe(`/dev/orders/${ORDER_ID}`);

    // The task fixtures carry the execution ARN the runtime gives this order.
    const execution = await waitForExecution(fixture('authorize-payment').executionId as string);
    expect(execution.status).toBe('SUCCEEDED');
    completed = JSON.parse(execution.output ?? '{}') as Record<string, unknown>;
  });

  it('create-order-capture-declined.json places a second order whose saga runs Cancel Shipment and Void Payment', async () => {
    const { code, result } = await invokeFixture('CreateOrderFunction', 'create-order-capture-declined');
    expect(code).toBe(0);
    expect(apiResponse(result)).toMatchObject({ statusCode: 202, body: { orderId: DECLINED_ORDER_ID } });

    const execution = await waitForExecution(fixture('void-payment').executionId as string);
    expect(execution.status).toBe('FAILED');
    // The compensation fixtures carry the error this saga really caught.
    expect(execution.error).toBe((fixture('void-payment').error as { Error: string }).Error);
  });

  it.each([
    ['AuthorizePaymentFunction', 'authorize-payment', 'payment'],
    ['CreateShipmentFunction', 'create-shipment', 'shipment'],
    ['CapturePaymentFunction', 'capture-payment', 'capture'],
    ['GenerateReceiptFunction', 'generate-receipt', 'receipt'],
  ])('%s with %s.json replays the result the saga recorded (the step is idempotent)', async (fn, name, resultPath) => {
    const { code, result } = await invokeFixture(fn, name);
    expect(code).toBe(0);
    expect(result).toEqual(completed[resultPath]);
  });

  it('get-order.json shows the completed order with its receipt available', async () => {
    const { code, result } = await invokeFixture('GetOrderFunction', 'get-order');
    expect(code).toBe(0);
    expect(apiResponse(result)).toMatchObject({ statusCode: 200, body: { orderId: ORDER_ID, status: 'COMPLETED', receipt: { available: true } } });
  });

  it('get-receipt.json returns presigned links that serve the receipt', async () => {
    const { code, result } = await invokeFixture('GetReceiptFunction', 'get-receipt');
    expect(code).toBe(0);
    const response = apiResponse(result);
    expect(response.statusCode).toBe(200);
    const html = await fetch(response.body.url as string);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('Thank you for your order');
  });

  it('cancel-shipment.json replays the recorded cancellation of the declined order', async () => {
    const { code, result } = await invokeFixture('CancelShipmentFunction', 'cancel-shipment');
    expect(code).toBe(0);
    expect(result).toEqual({ outcome: 'CANCELLED' });
  });

  it('void-payment.json replays the recorded void of the declined order', async () => {
    const { code, result } = await invokeFixture('VoidPaymentFunction', 'void-payment');
    expect(code).toBe(0);
    expect(result).toEqual({ outcome: 'VOIDED' });
  });

  it('admin-orders.json (an operator, signed) lists the FAILED orders: the declined one', async () => {
    const { code, result } = await invokeFixture('AdminOrdersFunction', 'admin-orders');
    expect(code).toBe(0);
    const response = apiResponse(result);
    expect(response.statusCode).toBe(200);
    expect((response.body.orders as { orderId: string }[]).map((order) => order.orderId)).toEqual([DECLINED_ORDER_ID]);
  });

  it('list-products.json lists the catalog', async () => {
    const { code, result } = await invokeFixture('ListProductsFunction', 'list-products');
    expect(code).toBe(0);
    const response = apiResponse(result);
    expect(response.statusCode).toBe(200);
    expect((response.body.products as unknown[]).length).toBeGreaterThan(0);
  });

  it('publish-order-changes.json publishes the fixture order\'s OrderPlaced on the local bus, deduplicable by its eventId', async () => {
    const { code, result } = await invokeFixture('PublishOrderChangesFunction', 'publish-order-changes');
    expect(code).toBe(0);
    expect(result).toEqual({ batchItemFailures: [] });
    const { events } = (await (await fetch(runtime.info.eventsUrl)).json()) as { events: { event: { 'detail-type': string; detail: { orderId: string; eventId: string } } }[] };
    const placed = events.filter(({ event }) => event['detail-type'] === 'OrderPlaced' && event.detail.orderId === ORDER_ID);
    // The saga's own change feed published it once already; the replayed record carries the same eventId.
    expect(placed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(placed.map(({ event }) => event.detail.eventId)).size).toBe(1);
  });

  it('updates-authorizer.json is refused as Unauthorized: its ticket was not signed with this runtime\'s generated key', async () => {
    const { code, result } = await invokeFixture('UpdatesAuthorizerFunction', 'updates-authorizer');
    expect(code).toBe(1);
    expect(result).toMatchObject({ errorType: 'Unauthorized', errorMessage: 'Unauthorized' });
  });

  it('order-updates.json ($disconnect) forgets its connection', async () => {
    const { code, result } = await invokeFixture('OrderUpdatesFunction', 'order-updates');
    expect(code).toBe(0);
    expect(result).toEqual({ statusCode: 200 });
  });

  it('covered every fixture under events/', () => {
    const fixtures = readdirSync(join(ROOT, 'events'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.replace(/\.json$/, ''));
    expect([...invoked].sort()).toEqual(fixtures.sort());
  });
});

describe('npm run invoke command line', () => {
  it('rejects an unknown flag with the usage line and exit code 2', async () => {
    const run = await invokeCli(['ListProductsFunction', '--evnt', 'events/list-products.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--evnt'");
    expect(run.stderr).toContain('Usage: npm run invoke --');
  });

  it('rejects extra arguments with the usage line and exit code 2', async () => {
    const run = await invokeCli(['ListProductsFunction', 'events/list-products.json', 'events/get-order.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unexpected argument(s): events/get-order.json');
  });

  it('says so when no runtime is running for the state directory', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-runtime-'));
    const run = await invokeCli(['--state-dir', empty, 'GetOrderFunction', 'events/get-order.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`No local runtime is running for ${empty}`);
  });

  it('--env-vars applies Parameters and lets the function block win over them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-vars-'));
    const path = join(dir, 'env.json');
    writeFileSync(
      path,
      JSON.stringify({
        Parameters: { CORS_ALLOW_ORIGIN: 'https://everyone.example', RECEIPTS_BUCKET_NAME: 'not-declared-by-list-products' },
        ListProductsFunction: { CORS_ALLOW_ORIGIN: 'https://shop.example' },
        GetOrderFunction: { CORS_ALLOW_ORIGIN: 'https://other.example' },
      }),
    );
    const run = await invokeCli(['--state-dir', runtime.stateDir, '--env-vars', path, 'ListProductsFunction', '--event', 'events/list-products.json']);
    expect(run.code).toBe(0);
    expect(apiResponse(JSON.parse(run.stdout) as Record<string, unknown>).headers['Access-Control-Allow-Origin']).toBe('https://shop.example');
  });

  it('rejects an env-vars file SAM would reject', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-vars-'));
    const path = join(dir, 'env.json');
    writeFileSync(path, JSON.stringify({ Parameters: { CORS_ALLOW_ORIGIN: '*' }, ListProductsFunction: 'not an object' }));
    const run = await invokeCli(['--state-dir', runtime.stateDir, '--env-vars', path, 'ListProductsFunction']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('in incorrect format');
  });
});

describe('the default bind, 127.0.0.1', () => {
  const externalIpv4 = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

  it('prints the sam local line with the warning that native Linux Docker cannot reach loopback', () => {
    expect(runtime.output()).toContain(`sam local start-api --env-vars ${join(runtime.stateDir, 'env.json')} --port 3100`);
    expect(runtime.output()).toContain('restart with --host 0.0.0.0');
    expect(runtime.output()).not.toContain('warning: listening on');
  });

  (externalIpv4 ? it : it.skip)('does not answer on the non-loopback addresses of this machine', async () => {
    await expect(fetch(`http://${String(externalIpv4)}:${new URL(runtime.info.apiUrl).port}/`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  });
});
