import { runScript, withInProcessRuntime } from './lib/in-process-runtime';
import { OrdersClient } from '#client';
import { apiClient } from '../tests/support/runtime-clients';
import { orderRequest } from '../tests/support/orders';
import { quantile } from '../tests/support/report';

/*
 * `npm run smoke`: starts the runtime in this process on free ports with empty data, places orders
 * through the API and prints the start-up time and the time from POST to COMPLETED (cold, then warm).
 */
const ORDER = orderRequest({ customerId: 'smoke', items: [{ sku: 'MUG-CERAMIC', quantity: 2 }] });

async function timeOrder(api: OrdersClient): Promise<{ postMs: number; completedMs: number; status: string }> {
  const started = performance.now();
  const placed = await api.request<{ orderId: string }>('POST', '/orders', { body: ORDER });
  const postMs = performance.now() - started;
  if (placed.status !== 202) throw new Error(`POST /orders answered ${String(placed.status)}: ${JSON.stringify(placed.body)}`);
  // A short fixed poll, so the wait adds at most a few ms to the time measured.
  const view = await api.waitForOrder(placed.body.orderId, { deadlineMs: 30_000, intervalMs: 5, maxIntervalMs: 5, resolveFailed: true });
  return { postMs, completedMs: performance.now() - started, status: view.status };
}

async function main(): Promise<void> {
  await withInProcessRuntime('order-smoke', async (runtime) => {
    // Node's own uptime: includes loading tsx and the runtime's modules.
    const readyMs = process.uptime() * 1000;
    const api = apiClient(runtime.info.apiUrl, runtime.info.apiKeys[0]?.value ?? '');
    const cold = await timeOrder(api);
    const warm = [];
    for (let index = 0; index < 5; index++) warm.push(await timeOrder(api));
    const median = (values: number[]) => quantile(values, 0.5);
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
  });
}

runScript(main);
