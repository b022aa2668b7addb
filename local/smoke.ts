import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startRuntime } from './runtime';

/*
 * `npm run smoke`: starts the runtime on free ports with empty data, places orders through the
 * API and prints the start-up time and the time from POST to COMPLETED (cold, then warm).
 */
const ROOT = join(__dirname, '..');

async function timeOrder(apiUrl: string, apiKey: string): Promise<{ postMs: number; completedMs: number; status: string }> {
  const body = {
    customerId: 'smoke',
    items: [{ sku: 'MUG-CERAMIC', quantity: 2 }],
    shippingAddress: { name: 'Smoke Test', line1: '1 Test Way', city: 'Springfield', postalCode: '12345', country: 'US' },
    payment: { token: 'tok_visa' },
  };
  const started = performance.now();
  const response = await fetch(`${apiUrl}/orders`, { method: 'POST', headers: { 'x-api-key': apiKey, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const postMs = performance.now() - started;
  if (response.status !== 202) throw new Error(`POST /orders answered ${String(response.status)}: ${await response.text()}`);
  const { orderId } = (await response.json()) as { orderId: string };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = (await (await fetch(`${apiUrl}/orders/${orderId}`, { headers: { 'x-api-key': apiKey } })).json()) as { status: string };
    if (view.status === 'COMPLETED' || view.status === 'FAILED') return { postMs, completedMs: performance.now() - started, status: view.status };
    if (Date.now() > deadline) throw new Error(`order ${orderId} still ${view.status} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'order-smoke-'));
  const config = loadConfig(join(__dirname, 'config.json'));
  config.ports = { api: 0, lambda: 0, stepfunctions: 0, dynamodb: 0, s3: 0, console: 0 };
  const runtime = await startRuntime({ rootDir: ROOT, templatePath: join(ROOT, 'template.yaml'), stateDir, fresh: true, config, log: () => undefined });
  // Node's own uptime: includes loading tsx and the runtime's modules.
  const readyMs = process.uptime() * 1000;
  try {
    const key = runtime.info.apiKeys[0]?.value ?? '';
    const cold = await timeOrder(runtime.info.apiUrl, key);
    const warm = [];
    for (let index = 0; index < 5; index++) warm.push(await timeOrder(runtime.info.apiUrl, key));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    const rows = [
      ['runtime start-up (startRuntime)', `${String(runtime.info.startupMs)} ms`],
      ['process start to ready', `${readyMs.toFixed(0)} ms`],
      ['first order: POST latency (cold)', `${cold.postMs.toFixed(0)} ms`],
      ['first order: POST to COMPLETED (cold)', `${cold.completedMs.toFixed(0)} ms (${cold.status})`],
      ['warm orders: POST latency, median of 5', `${median(warm.map((order) => order.postMs)).toFixed(1)} ms`],
      ['warm orders: POST to COMPLETED, median of 5', `${median(warm.map((order) => order.completedMs)).toFixed(1)} ms`],
    ];
    console.log(`\nLocal runtime smoke test (Node ${process.version})`);
    for (const [label, value] of rows) console.log(`  ${(label ?? '').padEnd(46)} ${value ?? ''}`);
  } finally {
    await runtime.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
