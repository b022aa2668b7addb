import { apiClient } from './runtime-clients';
import { orderRequest } from './orders';
import { until } from './pool-and-poll';
import type { RuntimeClients } from './runtime-clients';

export interface WaitingClientsResult {
  waiting: number;
  /** Waiting orders stored (each one's CreateOrder is then holding an environment) before the others were sent. */
  holding: number;
  post: { status: number; ms: number };
  get: { status: number; ms: number };
  /** Statuses of the waiting POSTs once they answered. */
  waitingStatuses: number[];
}

async function timed(call: () => Promise<{ status: number }>): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const { status } = await call();
  return { status, ms: Math.round(performance.now() - started) };
}

/**
 * Issue 12, break 5: `waiting` clients send `Prefer: wait=N` POSTs whose orders stay open (a
 * payment token that keeps failing, so the saga retries for a while); each holds a CreateOrder
 * environment for its wait. Once their orders are stored, another key's ordinary POST and a GET
 * are timed: they must not queue behind the waiting ones.
 */
export async function waitingClientsProbe(clients: RuntimeClients, options: { waiting: number; waitSeconds: number }): Promise<WaitingClientsResult> {
  const [waitingKey, otherKey] = clients.info.apiKeys;
  if (!waitingKey || !otherKey) throw new Error('local/config.json must define two API keys');
  const customerId = `waiting-${String(Date.now())}`;
  const waitingApi = apiClient(clients.info.apiUrl, waitingKey.value);
  const otherApi = apiClient(clients.info.apiUrl, otherKey.value);
  const waitingCalls = Array.from({ length: options.waiting }, () =>
    waitingApi
      .request('POST', '/orders', { body: orderRequest({ customerId, payment: { token: 'tok_flaky_9' } }), headers: { Prefer: `wait=${String(options.waitSeconds)}` } })
      .then((response) => response.status, () => 0),
  );
  const stored = async () => (await clients.scan('OrdersTable')).filter((order) => order.customerId === customerId).length;
  // With too few environments the rest never get to store theirs: go on at the deadline anyway.
  await until(async () => (await stored()) >= options.waiting, options.waitSeconds * 500, 200);
  const holding = await stored();
  const post = await timed(() => otherApi.request('POST', '/orders', { body: orderRequest({ customerId: `${customerId}-other` }) }));
  const get = await timed(() => otherApi.request('GET', '/products'));
  return { waiting: options.waiting, holding, post, get, waitingStatuses: await Promise.all(waitingCalls) };
}
