import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { orderRequest } from '../tests/support/orders';
import { sleep, until } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import { type Row, progress } from './summary';

/*
 * Load against a runtime with the template's own throttle settings: above the usage plan's rate
 * only the excess gets 429 and every accepted order completes; then a steady soak watches the
 * runtime's memory and checks that no execution stays running.
 */

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

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

export async function soakSuite(clients: RuntimeClients, seconds: number, perSecond: number): Promise<Row[]> {
  const pid = clients.info.pid;
  const customerId = `soak-${String(Date.now())}`;
  const samples: number[] = [];
  let sent = 0;
  let failures = 0;
  const started = Date.now();
  progress(`soak: ${String(perSecond)} orders/s for ${String(seconds)} s`);
  while (Date.now() - started < seconds * 1000) {
    const tick = Date.now();
    samples.push(rssMb(pid));
    await Promise.all(
      Array.from({ length: perSecond }, async () => {
        sent += 1;
        const response = await clients.api.request('POST', '/orders', { body: orderRequest({ customerId }) }).catch(() => undefined);
        if (response?.status !== 202) failures += 1;
      }),
    );
    if (samples.length % 30 === 0) progress(`soak: ${String(Math.round((Date.now() - started) / 1000))} s, RSS ${String(samples.at(-1))} MB`);
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
  const drained = await until(async () => (await clients.executions('RUNNING')).length === 0, 120_000, 1000);
  samples.push(rssMb(pid));
  const warm = samples[Math.max(1, Math.floor(samples.length / 10))] ?? samples[0] ?? 0;
  const start = samples[0] ?? 0;
  const peak = Math.max(...samples);
  const end = samples.at(-1) ?? 0;
  const counts = await completedOrders(clients, customerId);
  return [
    {
      area: 'Load',
      check: `soak: runtime RSS stays bounded`,
      tried: `${String(sent)} orders at ${String(perSecond)}/s for ${String(seconds)} s (${String(failures)} not accepted)`,
      required: 'end ≤ 1.5 × RSS after warm-up, peak < 2048 MB',
      observed: `start ${String(start)} MB, after warm-up ${String(warm)} MB, peak ${String(peak)} MB, end ${String(end)} MB`,
      held: end <= warm * 1.5 && peak < 2048 && failures === 0,
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
