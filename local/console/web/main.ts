/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/*
 * The operator console and storefront page. Operator data comes from the console's own
 * /api/* endpoints (the in-process Step Functions service, in AWS's shapes); the storefront
 * calls the public API with the storefront key, exactly as a real storefront would.
 */
import { FLAKY_TOKEN_EXAMPLE, PAYMENT_TEST_TOKENS, describeTokenBehaviour, tokenBehaviour } from '#adapters/payment-test-tokens';
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
}
interface ExecutionDetail extends ExecutionSummary {
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}
interface Money { amount: number; currency: string }
interface Product { sku: string; name: string; unitPrice: number; currency: string; maxQuantity: number }
interface OrderView {
  orderId: string;
  status: string;
  total: Money;
  timeline: { step: string; status: string; attempts?: number }[];
  receipt?: { available: boolean; status: string };
  failure: { code: string; message: string; step?: string } | null;
}

const POLL_MS = 1000;
const ORDER_POLL_MS = 400;
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
  config?: { apiUrl: string; storefrontKey: string };
} = {};

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
  const key = JSON.stringify(executions.map((execution) => [execution.executionArn, execution.status]));
  if (key === state.renderedList) {
    list.querySelectorAll('.age').forEach((element, index) => {
      const execution = executions[index];
      if (execution) element.textContent = age(execution.startDate);
    });
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
          h('span', { class: 'name' }, execution.name), statusBadge(execution.status), h('span', { class: 'age' }, age(execution.startDate))),
      ),
    ),
  );
  list.querySelectorAll<HTMLButtonElement>('button.execution').forEach((button, index) => {
    const execution = executions[index];
    if (execution) button.addEventListener('click', () => { select(execution.executionArn); });
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
  const { body } = await fetchJson<{ execution: ExecutionDetail; events: WireEvent[] }>(`/api/executions/${encodeURIComponent(arn)}/history`);
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

async function poll(): Promise<void> {
  for (;;) {
    try {
      await refreshExecutions();
      byId('live', HTMLElement).textContent = `Live · updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      byId('live', HTMLElement).textContent = `Not updating: ${error instanceof Error ? error.message : String(error)}`;
    }
    await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------- storefront

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the documented API response shape
function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const config = state.config;
  if (!config) throw new Error('The console configuration has not loaded');
  return fetchJson<T>(`${config.apiUrl}${path}`, { ...init, headers: { 'x-api-key': config.storefrontKey, ...(init.headers as Record<string, string> | undefined) } });
}

async function loadProducts(): Promise<void> {
  const { body } = await api<{ products: Product[] }>('/products');
  byId('products', HTMLDivElement).replaceChildren(
    ...body.products.map((product, index) =>
      h('div', { class: 'product' },
        h('label', { for: `qty-${product.sku}` }, `${product.name} `, h('span', { class: 'price' }, money(product.unitPrice, product.currency))),
        h('input', { id: `qty-${product.sku}`, type: 'number', min: '0', max: String(product.maxQuantity), value: index === 0 ? '1' : '0', 'data-sku': product.sku, inputmode: 'numeric' })),
    ),
  );
}

function field(id: string): string {
  return byId(id, HTMLInputElement).value.trim();
}

function orderRequest(): Record<string, unknown> {
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
        `${step.step}: `, statusBadge(step.status), (step.attempts ?? 0) > 1 ? ` (${String(step.attempts)} attempts)` : ''))),
    order.failure
      ? h('div', { class: 'failure', role: 'alert', 'data-testid': 'order-failure' },
          h('p', {}, h('strong', {}, order.failure.code), `: ${order.failure.message}`),
          h('p', {}, ran.length ? `Compensations: ${ran.map((step) => `${step.step} ${step.status.toLowerCase()}`).join(', ')}` : 'Nothing needed undoing.'))
      : null,
    h('p', { id: 'receipt' }),
  );
}

async function followOrder(orderId: string): Promise<void> {
  for (;;) {
    const { body } = await api<OrderView>(`/orders/${orderId}`);
    renderOrder(body);
    if (TERMINAL_ORDER.has(body.status)) {
      // GET /receipt answers 409 until the receipt exists; ask only once the order says it does.
      if (body.receipt?.available) {
        const receipt = await api<{ url: string; expiresAt: string }>(`/orders/${orderId}/receipt`);
        byId('receipt', HTMLParagraphElement).replaceChildren(
          h('a', { href: receipt.body.url, target: '_blank', rel: 'noopener', 'data-testid': 'receipt-link' }, 'Open the receipt'),
          ` (link expires ${new Date(receipt.body.expiresAt).toLocaleTimeString()})`);
      }
      return;
    }
    await sleep(ORDER_POLL_MS);
  }
}

async function placeOrder(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const button = byId('place', HTMLButtonElement);
  const out = byId('order', HTMLElement);
  button.disabled = true;
  try {
    const { body } = await api<{ orderId: string }>('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify(orderRequest()),
    });
    state.pendingName = body.orderId;
    out.replaceChildren(h('p', {}, 'Order ', h('code', {}, body.orderId), ' placed.'));
    await followOrder(body.orderId);
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
  byId('status-filter', HTMLSelectElement).addEventListener('change', () => { void refreshExecutions(); });
  await Promise.all([loadGraph(), loadProducts().catch((error: unknown) => { showError(byId('products', HTMLDivElement), error); })]);
  byId('place', HTMLButtonElement).disabled = false;
  await poll();
}

start().catch((error: unknown) => {
  showError(byId('live', HTMLElement), error);
});
