import autocannon from 'autocannon';
import { orderRequest } from '../tests/support/orders';
import { sleep, until } from '../tests/support/pool-and-poll';
import { processTreeRss, treeRssMb } from '../tests/support/process-memory';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import { waitingClientsProbe } from '../tests/support/waiting-clients';
import { type Row, progress } from './summary';

/*
 * Load against a runtime with the template's own throttle settings: above the usage plan's rate
 * only the excess gets 429 and every accepted order completes; then a steady soak watches the
 * runtime's memory and checks that no execution stays running.
 */

async function completedOrders(clients: RuntimeClients, prefix: string): Promise<{ total: number; terminal: number; completed: number }> {
  const orders = (await clients.scan('OrdersTable')).filter((order) => String(order.customerId).startsWith(prefix));
  return {
    total: orders.length,
    terminal: orders.filter((order) => order.status === 'COMPLETED' || order.status === 'FAILED').length,
    completed: orders.filter((order) => order.status === 'COMPLETED').length,
  };
}

export async function overloadSuite(clients: RuntimeClients, seconds: number, rate: number, burst: number): Promise<Row[]> {
  const overallRate = rate * 3;
  const customerId = `load-${String(Date.now())}`;
  progress(`load: ${String(overallRate)} POST/s for ${String(seconds)} s against a usage plan of ${String(rate)}/s, burst ${String(burst)}`);
  const result = await autocannon({
    url: `${clients.info.apiUrl}/orders`,
    method: 'POST',
    headers: { 'x-api-key': clients.info.apiKeys[0]?.value ?? '', 'content-type': 'application/json' },
    body: JSON.stringify(orderRequest({ customerId })),
    connections: 50,
    overallRate,
    duration: seconds,
  });
  const statusStats: Record<string, { count?: number }> = result.statusCodeStats ?? {};
  const statuses: Record<string, number> = Object.fromEntries(Object.entries(statusStats).map(([status, stats]) => [status, stats.count ?? 0]));
  const accepted = statuses['202'] ?? 0;
  const throttled = statuses['429'] ?? 0;
  const other = Object.entries(statuses).filter(([status]) => status !== '202' && status !== '429');
  const allowance = burst + rate * seconds;
  const sent = accepted + throttled + other.reduce((sum, [, n]) => sum + n, 0);
  const settled = await until(async () => {
    const counts = await completedOrders(clients, customerId);
    return counts.terminal === counts.total;
  }, 120_000, 1000);
  const counts = await completedOrders(clients, customerId);
  return [
    {
      area: 'Load',
      check: 'above the usage plan rate: only the excess is throttled',
      tried: `${String(sent)} POSTs at ${String(overallRate)}/s for ${String(seconds)} s (plan ${String(rate)}/s, burst ${String(burst)}); p99 ${String(result.latency.p99)} ms`,
      required: `202 ≤ ${String(allowance)} (burst + rate × time) and ≥ 90% of it, the rest 429, nothing else`,
      observed: `202×${String(accepted)} 429×${String(throttled)}${other.length ? ` other ${JSON.stringify(other)}` : ''}`,
      held: other.length === 0 && accepted <= allowance && accepted >= allowance * 0.9 && throttled > 0,
    },
    {
      area: 'Load',
      check: 'every accepted order completes',
      // autocannon stops counting requests still in flight when its time is up; the server may accept them.
      tried: `${String(accepted)} 202s counted by autocannon, ${String(counts.total)} orders stored (the rest were in flight at the end)`,
      required: 'every stored order COMPLETED',
      observed: `${String(counts.completed)} COMPLETED of ${String(counts.total)} stored${settled ? '' : ' (not settled in 120 s)'}`,
      held: settled && counts.total >= accepted && counts.completed === counts.total,
    },
  ];
}

/** Idle memory right after start-up, before any request: the builds' esbuild service must be gone. */
export async function idleMemoryRow(pid: number, limitMb: number): Promise<Row> {
  // Start-up garbage (template, translator check, bundles read) is collected within a few seconds.
  await sleep(3000);
  const tree = processTreeRss(pid);
  const total = tree.reduce((sum, process) => sum + process.rssMb, 0);
  return {
    area: 'Load',
    check: 'idle memory after start-up',
    tried: `RSS summed over the runtime's process tree 3 s after it was ready, before any request (${String(tree.length)} processes)`,
    required: `≤ ${String(limitMb)} MB`,
    observed: `${String(total)} MB (${tree.map((process) => `${process.label} ${String(process.rssMb)}`).join(', ')})`,
    held: total <= limitMb,
  };
}

/** Most the mean RSS may rise from the first to the second half of the soak's last stretch and still count as flat. */
const FLAT_TOLERANCE = 1.05;

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

/**
 * Orders at a steady rate for `seconds`, sampling the RSS of the runtime's whole process tree
 * (the runtime with its execution environments, dynalite, s3rver) once a second. Memory must end
 * within 1.2× of the post-warm-up sample, and be flat over the last minute: the last third when
 * the soak is shorter than three minutes (CI's 30 s soak), so "flat" there means its last 10 s.
 */
export async function soakSuite(clients: RuntimeClients, seconds: number, perSecond: number): Promise<Row[]> {
  const pid = clients.info.pid;
  const customerId = `soak-${String(Date.now())}`;
  const samples: number[] = [];
  let sent = 0;
  let failures = 0;
  /** Why POSTs were not accepted: status codes, or the client error. */
  const refusals = new Map<string, number>();
  const started = Date.now();
  progress(`soak: ${String(perSecond)} orders/s for ${String(seconds)} s`);
  while (Date.now() - started < seconds * 1000) {
    const tick = Date.now();
    samples.push(treeRssMb(pid));
    await Promise.all(
      Array.from({ length: perSecond }, async () => {
        sent += 1;
        const response = await clients.api.request('POST', '/orders', { body: orderRequest({ customerId }) }).catch((error: unknown) => String(error).slice(0, 80));
        if (typeof response === 'string' || response.status !== 202) {
          failures += 1;
          const reason = typeof response === 'string' ? response : String(response.status);
          refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
        }
      }),
    );
    if (samples.length % 30 === 0) {
      const tree = processTreeRss(pid).map((process) => `${process.label} ${String(process.rssMb)}`).join(', ');
      progress(`soak: ${String(Math.round((Date.now() - started) / 1000))} s, RSS ${String(samples.at(-1))} MB (${tree})`);
    }
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
  const loaded = samples.length;
  const drained = await until(async () => (await clients.executions('RUNNING')).length === 0, 120_000, 1000);
  samples.push(treeRssMb(pid));
  const warmIndex = Math.max(1, Math.floor(loaded / 10));
  const warm = samples[warmIndex] ?? samples[0] ?? 0;
  const start = samples[0] ?? 0;
  const peak = Math.max(...samples);
  const end = samples.at(-1) ?? 0;
  const window = Math.min(60, Math.floor(loaded / 3));
  const last = samples.slice(loaded - window, loaded);
  const firstHalf = mean(last.slice(0, Math.floor(window / 2)));
  const secondHalf = mean(last.slice(Math.floor(window / 2)));
  const windowName = window === 60 ? 'last minute' : `last third (${String(window)} s)`;
  const counts = await completedOrders(clients, customerId);
  return [
    {
      area: 'Load',
      check: 'soak: memory of the whole process tree stays bounded',
      tried: `${String(sent)} orders at ${String(perSecond)}/s for ${String(seconds)} s (${String(failures)} not accepted${refusals.size ? `: ${JSON.stringify(Object.fromEntries(refusals))}` : ''}); RSS summed over the runtime, its execution environments and its dynalite and s3rver processes`,
      required: `end ≤ 1.2 × RSS after warm-up (${String(warmIndex)} s)`,
      observed: `start ${String(start)} MB, after warm-up ${String(warm)} MB, peak ${String(peak)} MB, end ${String(end)} MB (${(end / Math.max(1, warm)).toFixed(2)}×)`,
      held: end <= warm * 1.2 && failures === 0,
    },
    {
      area: 'Load',
      check: 'soak: memory is flat at the end',
      tried: `mean RSS of the first and second half of the soak's ${windowName}`,
      required: `second half ≤ ${String(FLAT_TOLERANCE)} × first half`,
      observed: `${firstHalf.toFixed(0)} MB, then ${secondHalf.toFixed(0)} MB`,
      held: window > 1 && secondHalf <= firstHalf * FLAT_TOLERANCE,
    },
    {
      area: 'Load',
      check: 'soak: no execution stays running',
      tried: `${String(counts.total)} soak orders`,
      required: '0 RUNNING after the soak, all COMPLETED',
      observed: `${drained ? '0' : 'some'} RUNNING, ${String(counts.completed)} COMPLETED`,
      held: drained && counts.completed === counts.total && counts.total === sent,
    },
  ];
}

/** Issue 12, break 5: clients waiting on their orders must not delay anyone else. */
export async function waitingClientsRow(clients: RuntimeClients): Promise<Row> {
  progress('load: 10 waiting POSTs (Prefer: wait=20) beside an ordinary POST and a GET');
  const result = await waitingClientsProbe(clients, { waiting: 10, waitSeconds: 20 });
  return {
    area: 'Load',
    check: 'waiting clients do not delay others',
    tried: `${String(result.waiting)} POSTs with Prefer: wait=20 on orders kept open by tok_flaky_9 (${String(result.holding)} stored and waiting), then another key's POST and a GET /products`,
    required: 'POST 202 and GET 200, each in < 10 s (a cold start on a loaded machine, half the wait); the waiting POSTs answer with their outcome (200, 422) or 202',
    observed: `POST ${String(result.post.status)} in ${String(result.post.ms)} ms, GET ${String(result.get.status)} in ${String(result.get.ms)} ms; waiting: ${result.waitingStatuses.join(' ')}`,
    held:
      result.holding === result.waiting &&
      result.post.status === 202 &&
      result.post.ms < 10_000 &&
      result.get.status === 200 &&
      result.get.ms < 10_000 &&
      result.waitingStatuses.every((status) => [200, 202, 422].includes(status)),
  };
}
