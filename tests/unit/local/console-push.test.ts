import { mkdtempSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coalesce } from '../../../local/console/coalesce';
import { PUSH_INTERVAL_MS, consoleEndpoint } from '../../../local/console/console-server';
import type { SeenEvent } from '../../../local/eventbridge/eventbridge-service';
import { StepFunctionsApi } from '../../../local/stepfunctions/api';
import { StepFunctionsService } from '../../../local/stepfunctions/stepfunctions-service';
import { FakeLambda, localFunction, ok } from './fake-lambda';

const WORKER = localFunction('WorkerFunction');
const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Test';
const task = (next?: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: WORKER.aliasArn, 'Payload.$': '$' },
  ResultPath: '$.result',
  ...(next ? { Next: next } : { End: true }),
});

describe('coalesce', () => {
  beforeEach(() => { jest.useFakeTimers(); });
  afterEach(() => { jest.useRealTimers(); });

  it('flushes a burst once, on the next turn, and then at most once per interval', () => {
    const flush = jest.fn();
    const { notify } = coalesce(flush, 250);
    for (let i = 0; i < 100; i += 1) notify();
    expect(flush).not.toHaveBeenCalled();
    jest.advanceTimersByTime(0);
    expect(flush).toHaveBeenCalledTimes(1);
    notify();
    notify();
    jest.advanceTimersByTime(249);
    expect(flush).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(flush).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(10_000);
    expect(flush).toHaveBeenCalledTimes(2);
  });
});

describe('console push channel (GET /api/stream)', () => {
  let server: Server;
  let sfn: StepFunctionsApi;
  let port: number;
  const listeners = new Set<(seen: SeenEvent) => void>();
  const seen: SeenEvent[] = [];
  const put = (detailType: string, orderId: string) => {
    const event: SeenEvent = {
      bus: 'orders',
      rules: [],
      event: { version: '0', id: `id-${String(seen.length)}`, 'detail-type': detailType, source: 'order-processing', account: '000000000000', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: { orderId } },
    };
    seen.push(event);
    for (const listener of listeners) listener(event);
  };

  beforeAll(async () => {
    const lambda = new FakeLambda({ WorkerFunction: { fn: WORKER, behaviour: async (event) => { await new Promise((resolve) => setTimeout(resolve, 150)); return ok(event); } } });
    sfn = new StepFunctionsApi(
      new StepFunctionsService([{ logicalId: 'Test', name: 'Test', arn: ARN, type: 'STANDARD', definition: { StartAt: 'A', States: { A: task('B'), B: task('C'), C: task() } } }], lambda, {
        journalDir: mkdtempSync(join(tmpdir(), 'sfn-')),
        maxRunning: 4,
        log: () => undefined,
      }),
    );
    const events = {
      recent: () => seen,
      onEvent: (listener: (event: SeenEvent) => void) => {
        listeners.add(listener);
        return () => { listeners.delete(listener); };
      },
    };
    const handler = consoleEndpoint(sfn, events, { html: '', script: '', openApi: 'openapi: 3.1.0\n' }, { apiUrl: 'http://127.0.0.1:1', storefrontKey: 'k' });
    server = createServer((request, response) => { void handler(request, response); });
    await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sfn.service.close();
  });

  it('serves the OpenAPI document at /_local/openapi.yaml as YAML', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/_local/openapi.yaml`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(await response.text()).toBe('openapi: 3.1.0\n');
  });

  const open = (headers: Record<string, string> = {}) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/stream', headers }, resolve).on('error', reject).end();
    });

  /** Reads server-sent events until `until` holds or the deadline passes. */
  async function read(response: IncomingMessage, until: (events: { event: string; data: string; at: number }[]) => boolean, deadlineMs = 5000) {
    const events: { event: string; data: string; at: number }[] = [];
    let buffer = '';
    const deadline = setTimeout(() => response.destroy(), deadlineMs);
    try {
      for await (const chunk of response) {
        buffer += String(chunk);
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (event) events.push({ event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '', at: Date.now() });
        }
        if (until(events)) break;
      }
    } finally {
      clearTimeout(deadline);
      response.destroy();
    }
    return events;
  }

  it('refuses a page of another origin, as the rest of the console API does', async () => {
    expect((await open({ Origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await open({ 'Sec-Fetch-Site': 'cross-site' })).statusCode).toBe(403);
  });

  it('pushes execution changes, coalesced, until the execution ends', async () => {
    const response = await open({ 'Sec-Fetch-Site': 'same-origin' });
    expect(response.headers['content-type']).toContain('text/event-stream');
    const started = Date.now();
    const { executionArn } = sfn.handle('StartExecution', { stateMachineArn: ARN, name: 'pushed', input: '{}' }) as { executionArn: string };
    const ended = () => (sfn.handle('DescribeExecution', { executionArn }) as { status: string }).status !== 'RUNNING';
    // The last push comes after the execution ended: its status is in the list the page then reads.
    const pushes = await read(response, (events) => events.length > 0 && ended());
    expect(ended()).toBe(true);
    expect(pushes.every((push) => push.event === 'executions')).toBe(true);
    // Three 150 ms tasks make about 15 history events over 450 ms or more: they arrive as a few pushes, never closer than the interval.
    expect(pushes.length).toBeGreaterThanOrEqual(2);
    expect(pushes.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / PUSH_INTERVAL_MS) + 1);
    const gaps = pushes.slice(1).map((push, index) => push.at - (pushes[index]?.at ?? 0));
    // The timer may fire a few ms early on a busy machine's clock reading; never half an interval early.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(PUSH_INTERVAL_MS - 25);
  });

  it('pushes the events put on a bus, and lists them newest first at /api/events', async () => {
    const response = await open();
    put('OrderPlaced', 'o-1');
    put('PaymentAuthorized', 'o-1');
    const pushes = await read(response, (events) => events.some((push) => push.event === 'domain-events'));
    const pushed = JSON.parse(pushes.find((push) => push.event === 'domain-events')?.data ?? '[]') as SeenEvent[];
    expect(pushed.map((event) => event.event['detail-type'])).toEqual(['OrderPlaced', 'PaymentAuthorized']);
    const listed = await fetch(`http://127.0.0.1:${String(port)}/api/events`).then((answer) => answer.json() as Promise<{ events: SeenEvent[] }>);
    expect(listed.events.map((event) => event.event['detail-type'])).toEqual(['PaymentAuthorized', 'OrderPlaced']);
  });
});
