/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/*
 * The operator console and storefront page. Operator data comes from the console's own
 * /api/* endpoints (the in-process Step Functions service, in AWS's shapes, and the local bus's
 * events), re-read when the console's push channel says something changed; the storefront calls
 * the public API with the storefront key and follows its order over the WebSocket API, exactly
 * as a real storefront would.
 */
import { FLAKY_TOKEN_EXAMPLE, PAYMENT_TEST_TOKENS, describeTokenBehaviour, tokenBehaviour } from '#adapters/payment-test-tokens';
import { type OrderRequest, type OrderView, OrdersClient } from '#client';
import { byId, fetchJson, h, replace } from './dom';
import { type GraphView, drawGraph } from './graph-view';
import { type StateGraph, type WireEvent, describeCause, executionView, formatDuration, graphFromDefinition } from './model';

interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate: number;
  stopDate?: number;
  /** Set for an Express execution: what its record stands for (no execution history on AWS). */
  record?: string;
}
interface ExecutionDetail extends ExecutionSummary {
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}
/** An event on a local bus, as GET /api/events and the push channel carry it (local/eventbridge). */
interface SeenEvent {
  bus: string;
  rules: string[];
  event: { id: string; 'detail-type': string; source: string; time: string; detail: unknown };
}

/** How often the execution ages are redrawn (no request: the list itself arrives by push). */
const AGE_TICK_MS = 5000;
/** Only when the order's WebSocket cannot be used. */
const ORDER_POLL_MS = 400;
const EVENTS_SHOWN = 200;
const TERMINAL_ORDER = new Set(['COMPLETED', 'FAILED']);

const money = (amount: number, currency: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 100);
const age = (epochSeconds: number) => {
  const seconds = Math.max(0, Math.round(Date.now() / 1000 - epochSeconds));
  return seconds < 60 ? `${String(seconds)} s ago` : seconds < 3600 ? `${String(Math.floor(seconds / 60))} min ago` : `${String(Math.floor(seconds / 3600))} h ago`;
};
const pretty = (json: string | undefined) => {
  if (json === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const state: {
  graph?: StateGraph;
  view?: GraphView;
  selectedArn?: string;
  /** An order placed here: select its execution (named after the order) once it is listed. */
  pendingName?: string;
  renderedDetail?: string;
  renderedList?: string;
  executions: ExecutionSummary[];
  events: SeenEvent[];
  config?: { apiUrl: string; storefrontKey: string };
  client?: OrdersClient;
} = { executions: [], events: [] };

const statusBadge = (status: string) => h('span', { class: `status status-${status.toLowerCase()}` }, status);

function showError(where: HTMLElement, error: unknown) {
  where.replaceChildren(h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
}

async function loadGraph(): Promise<void> {
  const { body } = await fetchJson<{ stateMachines: { name: string; definition: Parameters<typeof graphFromDefinition>[0] }[] }>('/api/state-machines');
  const machine = body.stateMachines[0];
  if (!machine) throw new Error('The runtime has no state machine');
  state.graph = graphFromDefinition(machine.definition);
  state.view = drawGraph(state.graph, `State machine ${machine.name}`);
  byId('machine-name', HTMLElement).textContent = machine.name;
  byId('graph', HTMLDivElement).replaceChildren(state.view.element);
}

function renderExecutions(executions: ExecutionSummary[], counts: Record<string, number>): void {
  byId('counts', HTMLElement).textContent = Object.entries(counts).map(([status, count]) => `${status} ${String(count)}`).join(' · ') || 'no executions yet';
  const list = byId('execution-list', HTMLUListElement);
  // Rebuilding the buttons every second would drop keyboard focus: when only the ages moved, update those
  // (select() updates aria-pressed in place).
  state.executions = executions;
  const key = JSON.stringify(executions.map((execution) => [execution.executionArn, execution.status]));
  if (key === state.renderedList) {
    updateAges();
    return;
  }
  state.renderedList = key;
  if (executions.length === 0) {
    list.replaceChildren(h('li', { class: 'empty' }, 'No executions match.'));
    return;
  }
  list.replaceChildren(
    ...executions.map((execution) =>
      h('li', {},
        h('button', { type: 'button', class: 'execution', 'aria-pressed': String(execution.executionArn === state.selectedArn), 'data-name': execution.name },
          h('span', { class: 'name' }, execution.name), statusBadge(execution.status), h('span', { class: 'age' }, age(execution.startDate)),
          execution.record ? h('span', { class: 'record', title: execution.record, 'data-testid': 'express-record' }, 'Express · logs') : ''),
      ),
    ),
  );
  list.querySelectorAll<HTMLButtonElement>('button.execution').forEach((button, index) => {
    const execution = executions[index];
    if (execution) button.addEventListener('click', () => { select(execution.executionArn); });
  });
}

function updateAges(): void {
  byId('execution-list', HTMLUListElement).querySelectorAll('.age').forEach((element, index) => {
    const execution = state.executions[index];
    if (execution) element.textContent = age(execution.startDate);
  });
}

function select(arn: string): void {
  state.selectedArn = arn;
  state.renderedDetail = undefined;
  document.querySelectorAll('button.execution').forEach((button) => {
    button.setAttribute('aria-pressed', String(button.getAttribute('data-name') === arn.split(':').pop()));
  });
  void refreshDetail();
}

async function refreshDetail(): Promise<void> {
  const arn = state.selectedArn;
  if (!arn || !state.view || !state.graph) return;
  const { body } = await fetchJson<{ execution: ExecutionDetail; events: WireEvent[]; record?: string }>(`/api/executions/${encodeURIComponent(arn)}/history`);
  if (arn !== state.selectedArn) return;
  const view = executionView(body.events);
  state.view.show(view, body.execution.status);
  // Re-render only when the history grew, so open input/output panels stay open.
  const key = `${arn}:${String(body.events.length)}`;
  if (key === state.renderedDetail) return;
  state.renderedDetail = key;
  const { execution } = body;
  const compensation = new Set(state.graph.nodes.filter((node) => node.kind === 'compensation').map((node) => node.id));
  const compensations = view.visits.filter((visit) => compensation.has(visit.name));
  const started = view.visits[0]?.enteredAt ?? execution.startDate;
  const total = Math.max(((execution.stopDate ?? Date.now() / 1000) - execution.startDate) * 1000, 1);
  replace(byId('detail', HTMLElement),
    h('p', { class: 'summary' }, h('strong', {}, execution.name), ' ', statusBadge(execution.status),
      ` ${execution.stopDate ? formatDuration((execution.stopDate - execution.startDate) * 1000) : 'running'}`),
    body.record ? h('p', { class: 'record', 'data-testid': 'express-record-note' }, body.record) : '',
    execution.error
      ? h('div', { class: 'failure', role: 'status', 'data-testid': 'execution-failure' },
          h('p', {}, h('strong', {}, execution.error), execution.cause ? `: ${describeCause(execution.cause)}` : ''),
          h('p', {}, compensations.length ? `Compensations that ran: ${compensations.map((visit) => `${visit.name} (${visit.outcome})`).join(', ')}` : 'No compensation ran.'))
      : null,
    h('ol', { class: 'timeline', 'aria-label': 'Event timeline' },
      ...view.visits.map((visit) => {
        const offset = ((visit.enteredAt - started) * 1000 / total) * 100;
        const width = Math.max(((visit.durationMs ?? total) / total) * 100, 1);
        return h('li', { 'data-state': visit.name, 'data-outcome': visit.outcome },
          h('div', { class: 'row' },
            h('span', { class: 'state' }, visit.name),
            h('span', { class: `outcome outcome-${visit.outcome}` }, visit.outcome + (visit.attempts > 1 ? ` after ${String(visit.attempts - 1)} retr${visit.attempts > 2 ? 'ies' : 'y'}` : '')),
            h('span', { class: 'duration' }, visit.durationMs === undefined ? '…' : formatDuration(visit.durationMs))),
          h('div', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: `left:${offset.toFixed(1)}%;width:${Math.min(width, 100 - offset).toFixed(1)}%` })),
          visit.error ? h('p', { class: 'error-line' }, `${visit.error.error ?? 'Error'}${visit.error.cause ? `: ${describeCause(visit.error.cause)}` : ''}`) : null,
          h('details', {}, h('summary', {}, 'Input and output'),
            h('h4', {}, 'Input'), h('pre', {}, pretty(visit.input)),
            h('h4', {}, 'Output'), h('pre', {}, visit.output === undefined ? '(none)' : pretty(visit.output))));
      })),
  );
}

async function refreshExecutions(): Promise<void> {
  const filter = byId('status-filter', HTMLSelectElement).value;
  const { body } = await fetchJson<{ executions: ExecutionSummary[]; counts: Record<string, number> }>(`/api/executions${filter ? `?status=${filter}` : ''}`);
  const pending = state.pendingName ? body.executions.find((execution) => execution.name === state.pendingName) : undefined;
  if (pending) {
    state.pendingName = undefined;
    state.selectedArn = pending.executionArn;
    state.renderedDetail = undefined;
    state.renderedList = undefined;
  }
  renderExecutions(body.executions, body.counts);
  await refreshDetail();
}

/** Re-reads the list and the selected history; pushes that arrive meanwhile cause one more read, not one each. */
const executionsRefresher = (() => {
  let running: Promise<void> | undefined;
  let requested = 0;
  const run = async (): Promise<void> => {
    try {
      let done = -1;
      while (done !== requested) {
        done = requested;
        await refreshExecutions();
      }
      const live = byId('live', HTMLElement);
      live.textContent = `Live (pushed) · updated ${new Date().toLocaleTimeString()}`;
      // For tests and tools: how many pushed re-reads have been rendered.
      live.dataset.reads = String(Number(live.dataset.reads ?? '0') + 1);
    } catch (error) {
      byId('live', HTMLElement).textContent = `Not updating: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      running = undefined;
    }
  };
  return () => {
    requested += 1;
    running ??= run();
  };
})();

// ---------------------------------------------------------------- domain events

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const orderIdOf = (seen: SeenEvent): string => {
  const detail = seen.event.detail;
  return isRecord(detail) && typeof detail.orderId === 'string' ? detail.orderId : '';
};

function renderEvents(): void {
  const list = byId('events-list', HTMLOListElement);
  if (state.events.length === 0) {
    list.replaceChildren(h('li', { class: 'empty' }, 'No events on the bus yet.'));
    return;
  }
  // Expanded entries stay expanded when newer events arrive.
  const open = new Set([...list.querySelectorAll('details[open]')].map((details) => details.getAttribute('data-id')));
  list.replaceChildren(
    ...state.events.map((seen) => {
      const orderId = orderIdOf(seen);
      const details = h('details', { 'data-id': seen.event.id },
        h('summary', {},
          h('strong', { class: 'detail-type' }, seen.event['detail-type']), ' ',
          orderId ? h('code', { class: 'order-id' }, orderId) : h('span', { class: 'empty' }, '(no order id)'), ' ',
          h('time', { datetime: seen.event.time }, new Date(seen.event.time).toLocaleTimeString())),
        h('p', { class: 'event-meta' }, `${seen.event.source} on ${seen.bus}${seen.rules.length ? ` → ${seen.rules.join(', ')}` : ' (no rule matched)'}`),
        h('pre', {}, JSON.stringify(seen.event.detail, null, 2)));
      if (open.has(seen.event.id)) details.setAttribute('open', '');
      return h('li', { 'data-detail-type': seen.event['detail-type'], 'data-order-id': orderId }, details);
    }),
  );
}

/** Newest first, each event once (a reconnect re-reads the list the pushes already added to). */
function addEvents(events: SeenEvent[]): void {
  const known = new Set(state.events.map((seen) => seen.event.id));
  const fresh = events.filter((seen) => !known.has(seen.event.id)).reverse();
  state.events = [...fresh, ...state.events].slice(0, EVENTS_SHOWN);
  renderEvents();
}

async function loadEvents(): Promise<void> {
  const { body } = await fetchJson<{ events: SeenEvent[] }>('/api/events');
  state.events = [];
  addEvents([...body.events].reverse());
}

/**
 * Follows the console's push channel (GET /api/stream, Server-Sent Events): nothing is polled. On
 * every (re)connect the page re-reads the list and the events, since pushes may have been missed.
 */
function listen(): void {
  const stream = new EventSource('/api/stream');
  stream.addEventListener('open', () => {
    executionsRefresher();
    loadEvents().catch((error: unknown) => { showError(byId('events-list', HTMLOListElement), error); });
  });
  stream.addEventListener('executions', () => { executionsRefresher(); });
  stream.addEventListener('domain-events', (event) => { addEvents(JSON.parse((event as MessageEvent<string>).data) as SeenEvent[]); });
  stream.addEventListener('error', () => {
    byId('live', HTMLElement).textContent = 'Push channel lost; reconnecting…';
  });
  setInterval(updateAges, AGE_TICK_MS);
}

// ---------------------------------------------------------------- storefront

/** The storefront's client of the public API (client/), with the storefront key. */
function api(): OrdersClient {
  const config = state.config;
  if (!config) throw new Error('The console configuration has not loaded');
  state.client ??= new OrdersClient({ baseUrl: config.apiUrl, apiKey: config.storefrontKey });
  return state.client;
}

async function loadProducts(): Promise<void> {
  const products = await api().listProducts();
  byId('products', HTMLDivElement).replaceChildren(
    ...products.map((product, index) =>
      h('div', { class: 'product' },
        h('label', { for: `qty-${product.sku}` }, `${product.name} `, h('span', { class: 'price' }, money(product.unitPrice, product.currency))),
        h('input', { id: `qty-${product.sku}`, type: 'number', min: '0', max: String(product.maxQuantity), value: index === 0 ? '1' : '0', 'data-sku': product.sku, inputmode: 'numeric' })),
    ),
  );
}

function field(id: string): string {
  return byId(id, HTMLInputElement).value.trim();
}

function orderRequest(): OrderRequest {
  const items = [...document.querySelectorAll<HTMLInputElement>('#products input[data-sku]')]
    .map((input) => ({ sku: input.dataset.sku ?? '', quantity: Number(input.value) }))
    .filter((item) => item.quantity > 0);
  return {
    customerId: field('customer'),
    items,
    shippingAddress: { name: field('addr-name'), line1: field('addr-line1'), city: field('addr-city'), postalCode: field('addr-postal'), country: field('addr-country') },
    payment: { token: byId('token', HTMLSelectElement).value },
  };
}

function renderOrder(order: OrderView): void {
  const compensation = new Set(state.graph?.nodes.filter((node) => node.kind === 'compensation').map((node) => node.id));
  const ran = order.timeline.filter((step) => compensation.has(step.step) && step.status !== 'PENDING');
  replace(byId('order', HTMLElement),
    h('p', {}, 'Order ', h('code', {}, order.orderId), ' · ', money(order.total.amount, order.total.currency)),
    h('p', {}, 'Status: ', h('strong', { 'data-testid': 'order-status', class: `status status-${order.status.toLowerCase()}` }, order.status)),
    h('ol', { class: 'steps', 'aria-label': 'Order steps' },
      ...order.timeline.map((step) => h('li', { 'data-step': step.step, class: compensation.has(step.step) ? 'compensation' : '' },
        `${step.step}: `, statusBadge(step.status), step.attempts > 1 ? ` (${String(step.attempts)} attempts)` : ''))),
    order.failure
      ? h('div', { class: 'failure', role: 'alert', 'data-testid': 'order-failure' },
          h('p', {}, h('strong', {}, order.failure.code), `: ${order.failure.message}`),
          h('p', {}, ran.length ? `Compensations: ${ran.map((step) => `${step.step} ${step.status.toLowerCase()}`).join(', ')}` : 'Nothing needed undoing.'))
      : null,
    h('p', { id: 'receipt' }),
  );
}

function updatesMode(mode: 'push' | 'polling', text: string): void {
  const line = byId('order-updates', HTMLParagraphElement);
  line.setAttribute('data-mode', mode);
  line.textContent = text;
}

/**
 * Follows the order over its `links.updates` WebSocket with the client's subscribe
 * (docs/realtime-updates.md): renders every pushed view and resolves with the last one once the
 * server closes the connection after a terminal status. Rejects when the socket cannot be opened,
 * or closes earlier.
 */
async function subscribe(client: OrdersClient, orderId: string, updatesUrl: string): Promise<OrderView> {
  let last: OrderView | undefined;
  for await (const view of client.subscribe(orderId, { updatesUrl })) {
    if (!last) updatesMode('push', 'Live: status changes are pushed over a WebSocket.');
    last = view;
    renderOrder(view);
  }
  if (!last || !TERMINAL_ORDER.has(last.status)) throw new Error('the WebSocket closed before the order finished');
  return last;
}

/** The fallback when the WebSocket cannot be used: GET /orders/{id} until the order is terminal. */
async function pollOrder(orderId: string): Promise<OrderView> {
  for (;;) {
    const view = await api().getOrder(orderId);
    renderOrder(view);
    if (TERMINAL_ORDER.has(view.status)) return view;
    await sleep(ORDER_POLL_MS);
  }
}

async function followOrder(orderId: string, updates: string | undefined): Promise<void> {
  let final: OrderView | undefined;
  if (updates) {
    try {
      final = await subscribe(api(), orderId, updates);
    } catch (error) {
      updatesMode('polling', `Live updates unavailable (${error instanceof Error ? error.message : String(error)}); polling GET /orders/{id} instead.`);
    }
  } else {
    updatesMode('polling', 'Live updates unavailable (the API gave no links.updates); polling GET /orders/{id} instead.');
  }
  final ??= await pollOrder(orderId);
  // GET /receipt answers 409 until the receipt exists; ask only once the order says it does.
  if (final.receipt.available) {
    const receipt = await api().getReceipt(orderId);
    byId('receipt', HTMLParagraphElement).replaceChildren(
      h('a', { href: receipt.url, target: '_blank', rel: 'noopener', 'data-testid': 'receipt-link' }, 'Open the receipt'),
      ` (link expires ${new Date(receipt.expiresAt).toLocaleTimeString()})`);
  }
}

async function placeOrder(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const button = byId('place', HTMLButtonElement);
  const out = byId('order', HTMLElement);
  button.disabled = true;
  try {
    // The client sends an Idempotency-Key, so its retries after a lost answer never place a second order.
    const { order } = await api().placeOrder(orderRequest());
    state.pendingName = order.orderId;
    out.replaceChildren(h('p', {}, 'Order ', h('code', {}, order.orderId), ' placed.'));
    updatesMode('push', 'Connecting to live updates…');
    await followOrder(order.orderId, order.links.updates);
  } catch (error) {
    showError(out, error);
  } finally {
    button.disabled = false;
  }
}

async function start(): Promise<void> {
  // The simulator's own list, so the menu cannot offer a token the simulator does not know.
  byId('token', HTMLSelectElement).replaceChildren(
    ...[...Object.keys(PAYMENT_TEST_TOKENS), FLAKY_TOKEN_EXAMPLE].map((token) => h('option', { value: token }, `${token}: ${describeTokenBehaviour(tokenBehaviour(token))}`)),
  );
  const { body } = await fetchJson<{ apiUrl: string; storefrontKey: string }>('/api/config');
  state.config = body;
  byId('api-url', HTMLElement).textContent = body.apiUrl;
  byId('order-form', HTMLFormElement).addEventListener('submit', (event) => { void placeOrder(event); });
  byId('status-filter', HTMLSelectElement).addEventListener('change', () => { executionsRefresher(); });
  await Promise.all([loadGraph(), loadProducts().catch((error: unknown) => { showError(byId('products', HTMLDivElement), error); })]);
  byId('place', HTMLButtonElement).disabled = false;
  listen();
}

start().catch((error: unknown) => {
  showError(byId('live', HTMLElement), error);
});
