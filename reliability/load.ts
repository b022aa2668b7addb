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

/**
 * How many of these requests a token bucket of `rate`/s holding `burst` admits, given when each was
 * sent: the reference the gateway's own bucket is held to. A loaded machine sends in bunches, and a
 * bucket admits fewer of a bunch than of the same requests spread out, so the bound follows the
 * arrivals instead of assuming an even rate.
 */
export function tokenBucketAdmits(sentAtMs: readonly number[], rate: number, burst: number): number {
  let tokens = burst;
  let last = sentAtMs[0] ?? 0;
  let admitted = 0;
  for (const at of [...sentAtMs].sort((a, b) => a - b)) {
    tokens = Math.min(burst, tokens + ((at - last) / 1000) * rate);
    last = at;
    if (tokens >= 1) {
      tokens -= 1;
      admitted += 1;
    }
  }
  return admitted;
}

export async function overloadSuite(clients: RuntimeClients, seconds: number, rate: number, burst: number): Promise<Row[]> {
  const overallRate = rate * 3;
  const customerId = `load-${String(Date.now())}`;
  progress(`load: ${String(overallRate)} POST/s for ${String(seconds)} s against a usage plan of ${String(rate)}/s, burst ${String(burst)}`);
  // Paced by the clock (a request every 1/overallRate s, none awaited), recording when each left.
  const body = orderRequest({ customerId });
  const sent: { at: number; response: Promise<{ status: number; ms: number }> }[] = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const at = performance.now();
    sent.push({
      at,
      response: clients.api.request('POST', '/orders', { body }).then(
        (response) => ({ status: response.status, ms: performance.now() - at }),
        () => ({ status: 0, ms: performance.now() - at }),
      ),
    });
    await sleep(Math.max(0, started + (sent.length * 1000) / overallRate - performance.now()));
  }
  const elapsed = (performance.now() - started) / 1000;
  const results = await Promise.all(sent.map((request) => request.response));
  const statuses: Record<string, number> = {};
  for (const { status } of results) statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
  const latencies = results.map((result) => result.ms).sort((a, b) => a - b);
  const p99 = Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0);
  const accepted = statuses['202'] ?? 0;
  const throttled = statuses['429'] ?? 0;
  const other = Object.entries(statuses).filter(([status]) => status !== '202' && status !== '429');
  const allowance = Math.floor(burst + rate * elapsed);
  const expected = tokenBucketAdmits(sent.map((request) => request.at), rate, burst);
  const settled = await until(async () => {
    const counts = await completedOrders(clients, customerId);
    return counts.terminal === counts.total;
  }, 120_000, 1000);
  const counts = await completedOrders(clients, customerId);
  // This phase empties the key's token bucket, and the next (the soak) stays within the plan: it
  // starts once the bucket is full again. When these orders completed before the first poll above,
  // the soak's first ten POSTs found two tokens.
  await sleep((burst / rate) * 1000);
  return [
    {
      area: 'Load',
      check: 'above the usage plan rate: only the excess is throttled',
      tried: `${String(sent.length)} POSTs paced at ${String(overallRate)}/s for ${elapsed.toFixed(1)} s (plan ${String(rate)}/s, burst ${String(burst)}); p99 ${String(p99)} ms`,
      required: `202 ≤ ${String(allowance)} (burst + rate × time) and ≥ 90% of the ${String(expected)} a token bucket admits at the times they were sent; the rest 429, nothing else`,
      observed: `202×${String(accepted)} 429×${String(throttled)}${other.length ? ` other ${JSON.stringify(other)}` : ''}`,
      held: other.length === 0 && accepted <= allowance && accepted >= expected * 0.9 && throttled > 0,
    },
    {
      area: 'Load',
      check: 'every accepted order completes',
      tried: `${String(accepted)} 202s, ${String(counts.total)} orders stored`,
      required: 'every stored order COMPLETED',
      observed: `${String(counts.completed)} COMPLETED of ${String(counts.total)} stored${settled ? '' : ' (not settled in 120 s)'}`,
      held: settled && counts.total === accepted && counts.completed === counts.total,
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
          // API Gateway names what refused it (a throttle, a quota, a failed integration) in x-amzn-ErrorType.
          const reason = typeof response === 'string' ? response : [response.status, response.headers.get('x-amzn-errortype')].filter(Boolean).join(' ');
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
