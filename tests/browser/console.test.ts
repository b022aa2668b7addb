/*
 * The operator console in a real browser: Debian's chromium driven by playwright-core (no browser
 * download). It places orders through the page's storefront, follows them over the WebSocket API,
 * and watches them on the graph and the domain-events panel, all by push.
 * Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, type Request, chromium } from 'playwright-core';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { ROOT } from '../support/template';

jest.setTimeout(90_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const MAIN_STEPS = ['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt'];

let runtime: LocalRuntimeProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
/** Every request the page made, in order. */
let requests: Request[];

const pathOf = (request: Request) => new URL(request.url()).pathname;
const executionListReads = () => requests.filter((request) => pathOf(request) === '/api/executions').length;
/** Consecutive repeats removed: a view can change (attempts) without its status changing. */
const distinct = (statuses: string[]) => statuses.filter((status, index) => status !== statuses[index - 1]);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM} and never download one. Install it with ` +
        '`sudo apt-get install -y chromium` (Debian/Ubuntu; `npm test` tries this itself when run as root), or set CHROMIUM_PATH.',
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  [runtime, browser] = await Promise.all([
    startLocalRuntime(newStateDir(), { fresh: true }),
    // Chromium's sandbox refuses to run as root, which is how CI containers run.
    chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop('SIGTERM');
  if (runtime) rmSync(runtime.stateDir, { recursive: true, force: true });
});

beforeEach(async () => {
  if (!browser || !runtime) throw new Error('beforeAll did not start the browser and the runtime');
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  problems = [];
  requests = [];
  page.on('request', (request) => requests.push(request));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(runtime.info.consoleUrl);
  await page.getByRole('button', { name: 'Place order' }).and(page.locator(':enabled')).waitFor();
});

afterEach(async () => {
  await page.close();
  expect(problems).toEqual([]);
});

async function placeOrder(token: string, terminal: 'COMPLETED' | 'FAILED'): Promise<string> {
  await page.getByLabel('Test payment token').selectOption(token);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByTestId('order-status').filter({ hasText: terminal }).waitFor({ timeout: 30_000 });
  const orderId = await page.locator('#order code').first().textContent();
  if (!orderId) throw new Error('The order panel shows no order id');
  // The operator side re-reads on each push: wait until the execution is selected and closed on the graph.
  await page.locator(`button.execution[aria-pressed="true"][data-name="${orderId}"]`).waitFor({ timeout: 10_000 });
  await page.locator('#detail .summary .status').filter({ hasText: terminal === 'COMPLETED' ? 'SUCCEEDED' : 'FAILED' }).waitFor({ timeout: 10_000 });
  return orderId;
}

const ORDER_REQUEST = {
  customerId: 'cust-browser',
  items: [{ sku: 'TSHIRT-BLK-M', quantity: 1 }],
  shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical Way', city: 'Springfield', postalCode: '12345', country: 'US' },
  payment: { token: 'tok_visa' },
};
const storefrontKey = () => runtime?.info.apiKeys.find((key) => key.name === 'storefront')?.value ?? '';

const outcome = (state: string) => page.locator(`svg.graph g[data-state="${state}"]`).getAttribute('data-outcome');

describe('operator console', () => {
  it('places an approved order, sees it COMPLETED with the four steps succeeded, and opens the receipt', async () => {
    const orderId = await placeOrder('tok_visa', 'COMPLETED');
    expect(await Promise.all(MAIN_STEPS.map(outcome))).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await outcome('Void Payment')).toBeNull();
    expect(await page.locator('#detail .timeline li').count()).toBe(4);

    const receipt = page.getByTestId('receipt-link');
    await receipt.waitFor();
    const href = await receipt.getAttribute('href');
    const response = await page.request.get(String(href));
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain(orderId);

    // Every control has an accessible name: a label, an aria-label or its own text.
    const unnamed = await page.locator('input, select, button').evaluateAll((elements) =>
      elements
        .filter((element) => !(element as HTMLInputElement).labels?.length && !element.getAttribute('aria-label') && !element.textContent.trim())
        .map((element) => element.outerHTML),
    );
    expect(unnamed).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'console-approved.png'), fullPage: true });
  });

  it('marks a state that failed transiently and then worked as succeeded, retried twice', async () => {
    await placeOrder('tok_flaky_2', 'COMPLETED');
    expect(await outcome('Authorize Payment')).toBe('succeeded');
    await expect(page.locator('svg.graph g[data-state="Authorize Payment"] .badge').textContent()).resolves.toBe('retried ×2');
    await expect(page.locator('#detail .timeline li[data-state="Authorize Payment"] .outcome').textContent()).resolves.toBe('succeeded after 2 retries');
  });

  it('shows a declined order failing with its reason and the Catch edge it took', async () => {
    await placeOrder('tok_chargeDeclined', 'FAILED');
    await expect(page.getByTestId('order-failure').textContent()).resolves.toContain('PaymentDeclined');
    expect(await outcome('Authorize Payment')).toBe('caught');
    expect(await outcome('Payment Declined')).toBe('failed');
    expect(await outcome('Create Shipment')).toBeNull();
    await expect(page.locator('path[data-edge="Authorize Payment -> Payment Declined"]').getAttribute('class')).resolves.toContain('caught');
    await expect(page.getByTestId('execution-failure').textContent()).resolves.toContain('No compensation ran');
    await page.screenshot({ path: join(ARTIFACTS, 'console-declined.png'), fullPage: true });

    // The status filter lists only failed executions (the approved one from the first test is gone).
    await page.getByLabel('Filter by status').selectOption('FAILED');
    await page.waitForFunction(() => [...document.querySelectorAll('#execution-list .status')].every((badge) => badge.textContent === 'FAILED'), undefined, { timeout: 5_000 });
    expect(await page.locator('#execution-list .status').allTextContents()).toEqual(['FAILED']);

    // A keyboard user's focus survives the next push: the list is not rebuilt when nothing it shows
    // changed. Another order (approved, so not in this FAILED list) makes the runtime push.
    await page.locator('button.execution').first().focus();
    const reads = executionListReads();
    const rendered = await page.locator('#live').getAttribute('data-reads');
    const placed = await page.request.post(`${runtime?.info.apiUrl ?? ''}/orders`, {
      headers: { 'x-api-key': storefrontKey(), 'Idempotency-Key': `focus-${String(Date.now())}` },
      data: ORDER_REQUEST,
    });
    expect(placed.status()).toBe(202);
    // The push makes the page re-read the list (it does not poll).
    const deadline = Date.now() + 5_000;
    while (executionListReads() === reads && Date.now() < deadline) await page.waitForTimeout(50);
    expect(executionListReads()).toBeGreaterThan(reads);
    await page.waitForFunction((before) => document.getElementById('live')?.dataset.reads !== before, rendered, { timeout: 5_000 });
    expect(await page.evaluate(() => document.activeElement?.classList.contains('execution'))).toBe(true);
  });

  it('shows the compensations a capture decline ran, on a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await placeOrder('tok_capture_declined', 'FAILED');
    const failure = await page.getByTestId('order-failure').textContent();
    expect(failure).toContain('CaptureDeclined');
    expect(failure).toContain('Cancel Shipment succeeded, Void Payment succeeded');
    expect(await Promise.all(['Capture Payment', 'Cancel Shipment', 'Void Payment', 'Order Failed'].map(outcome))).toEqual(['caught', 'succeeded', 'succeeded', 'failed']);
    // Nothing is wider than the phone: only the graph scrolls, inside its own region.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'console-phone.png'), fullPage: true });
  });
});

describe('push instead of polling', () => {
  it('shows each view the WebSocket pushes, ending COMPLETED, with no GET /orders/{id} while subscribed', async () => {
    const pushed: string[] = [];
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => { closed = resolve; });
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => {
        const message = JSON.parse(String(frame.payload)) as { type?: unknown; order?: { status?: unknown } };
        if (message.type === 'order' && typeof message.order?.status === 'string') pushed.push(message.order.status);
      });
      socket.on('close', () => { closed(); });
    });
    // Every status the page displays, in order (one MutationObserver callback per pushed message).
    await page.evaluate(() => {
      const shown: string[] = [];
      (window as unknown as { shown: string[] }).shown = shown;
      const order = document.getElementById('order');
      if (!order) throw new Error('no #order');
      new MutationObserver(() => {
        const status = document.querySelector('[data-testid="order-status"]')?.textContent;
        if (status && shown.at(-1) !== status) shown.push(status);
      }).observe(order, { childList: true, subtree: true });
    });

    const orderId = await placeOrder('tok_flaky_2', 'COMPLETED');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise((resolve) => { timer = setTimeout(resolve, 10_000, 'still open'); });
    await expect(Promise.race([socketClosed.then(() => 'closed'), deadline]).finally(() => { clearTimeout(timer); })).resolves.toBe('closed');
    const shown = await page.evaluate(() => (window as unknown as { shown: string[] }).shown);

    // The snapshot and at least one change were pushed, and the page showed each of them in turn.
    expect(pushed.length).toBeGreaterThanOrEqual(2);
    expect(distinct(pushed).at(-1)).toBe('COMPLETED');
    expect(shown).toEqual(distinct(pushed));
    await expect(page.locator('#order-updates').getAttribute('data-mode')).resolves.toBe('push');
    await page.getByTestId('receipt-link').waitFor();
    expect(requests.filter((request) => request.method() === 'GET' && pathOf(request).endsWith(`/orders/${orderId}`)).map((request) => request.url())).toEqual([]);

    // The operator side: one push channel, and no reads of the list once nothing changes (it used to poll every second).
    expect(requests.filter((request) => pathOf(request) === '/api/stream')).toHaveLength(1);
    const reads = executionListReads();
    await page.waitForTimeout(2_500);
    expect(executionListReads()).toBe(reads);

    // The domain-events panel lists the order's events from the bus, newest first.
    const events = page.locator(`#events-list li[data-order-id="${orderId}"]`);
    await page.locator(`#events-list li[data-order-id="${orderId}"][data-detail-type="OrderCompleted"]`).waitFor({ timeout: 10_000 });
    const newestFirst = await events.locator('.detail-type').allTextContents();
    const oldestFirst = [...newestFirst].reverse();
    expect(oldestFirst[0]).toBe('OrderPlaced');
    expect(oldestFirst.at(-1)).toBe('OrderCompleted');
    expect(oldestFirst).toEqual(expect.arrayContaining(['PaymentAuthorized', 'ShipmentCreated', 'PaymentCaptured', 'ReceiptReady']));
    expect(new Set(oldestFirst).size).toBe(oldestFirst.length);
    const completed = events.filter({ has: page.locator('.detail-type', { hasText: 'OrderCompleted' }) });
    await completed.locator('summary').click();
    await expect(completed.locator('pre').textContent()).resolves.toContain(`"orderId": "${orderId}"`);
    expect(requests.filter((request) => pathOf(request) === '/api/events')).toHaveLength(1);
    await page.screenshot({ path: join(ARTIFACTS, 'console-push.png'), fullPage: true });
  });

  it('falls back to polling GET /orders/{id}, and says so, when the WebSocket cannot be opened', async () => {
    // links.updates pointed at a port where nothing listens: the connection is refused.
    await page.route('**/orders', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch();
      const body = (await response.json()) as { links?: { updates?: string } };
      const updates = body.links?.updates;
      if (!updates) throw new Error('POST /orders gave no links.updates');
      const url = new URL(updates);
      url.host = '127.0.0.1:9';
      await route.fulfill({ response, json: { ...body, links: { ...body.links, updates: url.toString() } } });
    });
    const orderId = await placeOrder('tok_visa', 'COMPLETED');
    const notice = page.locator('#order-updates');
    await expect(notice.getAttribute('data-mode')).resolves.toBe('polling');
    await expect(notice.textContent()).resolves.toContain('polling GET /orders/{id}');
    expect(requests.filter((request) => request.method() === 'GET' && pathOf(request).endsWith(`/orders/${orderId}`)).length).toBeGreaterThan(0);
    // Chromium reports the refused connection on the console; that is this test's point, not a page fault.
    problems = problems.filter((problem) => !problem.includes('ws://127.0.0.1:9/'));
  });
});
