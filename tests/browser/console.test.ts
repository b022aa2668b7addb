/*
 * The operator console in a real browser: Debian's chromium driven by playwright-core (no browser
 * download). It places orders through the page's storefront and watches them on the graph.
 * Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
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
  // The operator side polls every second: wait until the execution is selected and closed on the graph.
  await page.locator(`button.execution[aria-pressed="true"][data-name="${orderId}"]`).waitFor({ timeout: 10_000 });
  await page.locator('#detail .summary .status').filter({ hasText: terminal === 'COMPLETED' ? 'SUCCEEDED' : 'FAILED' }).waitFor({ timeout: 10_000 });
  return orderId;
}

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

    // A keyboard user's focus survives the next poll: the list is not rebuilt when nothing changed.
    await page.locator('button.execution').first().focus();
    const updated = await page.locator('#live').textContent();
    await page.waitForFunction((before) => document.getElementById('live')?.textContent !== before, updated, { timeout: 5_000 });
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
