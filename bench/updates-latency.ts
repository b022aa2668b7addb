import { loadavg } from 'node:os';
import { runScript, withInProcessRuntime } from './lib/in-process-runtime';
import { apiClient } from '../tests/support/runtime-clients';
import { UpdatesSubscriber } from '../tests/support/order-updates';
import { orderRequest } from '../tests/support/orders';
import { machine, quantile } from '../tests/support/report';

/*
 * `npx tsx bench/updates-latency.ts [orders]`: the whole real-time path on a fresh in-process
 * runtime from template.yaml. For each order (one at a time): POST /orders, open links.updates, ask
 * for the snapshot, and time every view that arrives until the server closes the connection.
 *
 * Latency = arrival at the client − the view's order.updatedAt, the timestamp the step wrote with the
 * record (ms precision, same clock: client and runtime share the machine). The stream record's
 * ApproximateCreationDateTime is coarser (whole seconds on AWS), so it is not used. Only views written
 * after the client asked for the snapshot are counted: an earlier one may have come in the snapshot,
 * not by push. The path it measures: the write, the local stream, the event source mapping (batch size
 * 100, MaximumBatchingWindowInSeconds 1 from the template), PublishOrderChanges (domain events first,
 * then the push), the @connections API, and the WebSocket frame.
 */
async function main(): Promise<void> {
  const orders = Number(process.argv[2] ?? 30);
  await withInProcessRuntime('order-updates-latency', async (runtime) => {
    const { info } = runtime;
    const api = apiClient(info.apiUrl, info.apiKeys[0]?.value ?? '');
    const latencies: number[] = [];
    const messagesPerOrder: number[] = [];
    const orderIds: string[] = [];
    for (let index = 0; index < orders; index++) {
      const placed = await api.request<{ orderId: string; links: { updates: string } }>('POST', '/orders', { body: orderRequest() });
      if (placed.status !== 202) throw new Error(`POST /orders answered ${String(placed.status)}`);
      orderIds.push(placed.body.orderId);
      const subscriber = new UpdatesSubscriber(placed.body.links.updates);
      const arrivals: { at: number; updatedAt: string }[] = [];
      subscriber.socket.addEventListener('message', (event) => {
        const order = (JSON.parse(String(event.data)) as { order?: { updatedAt: string } }).order;
        if (order) arrivals.push({ at: Date.now(), updatedAt: order.updatedAt });
      });
      await subscriber.opened;
      const askedAt = Date.now();
      subscriber.socket.send(JSON.stringify({ action: 'snapshot' }));
      await subscriber.waitForClose(60_000);
      messagesPerOrder.push(arrivals.length);
      const firstArrival = new Map<string, number>();
      for (const { at, updatedAt } of arrivals) if (!firstArrival.has(updatedAt)) firstArrival.set(updatedAt, at);
      for (const [updatedAt, at] of firstArrival) if (Date.parse(updatedAt) > askedAt) latencies.push(at - Date.parse(updatedAt));
    }

    const listed = (await (await fetch(info.eventsUrl)).json()) as { events: { event: { detail: { orderId?: string; eventId?: string } } }[] };
    const ours = new Set(orderIds);
    const eventIds = new Set(listed.events.filter(({ event }) => ours.has(event.detail.orderId ?? '')).map(({ event }) => event.detail.eventId));
    const row = (label: string, values: number[]) =>
      `  ${label.padEnd(48)} p50 ${quantile(values, 0.5).toFixed(0)} ms   p99 ${quantile(values, 0.99).toFixed(0)} ms   max ${Math.max(...values).toFixed(0)} ms   (n=${String(values.length)})`;
    const host = machine();
    console.log(`\nWrite -> pushed view at the client, ${String(orders)} happy-path orders one at a time (${host.cpu}, ${String(host.cores)} cores, Node ${host.node}; load average before the run's end ${loadavg().map((load) => load.toFixed(2)).join(' ')})`);
    console.log(row("step's write (updatedAt) -> WebSocket message", latencies));
    console.log(`  messages per subscriber (snapshot + pushes)      ${(messagesPerOrder.reduce((sum, count) => sum + count, 0) / orders).toFixed(2)}`);
    console.log(`  domain events per order (distinct eventId)       ${(eventIds.size / orders).toFixed(2)}`);
  });
}

runScript(main);
