import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { SeenEvent } from '../eventbridge/eventbridge-service';
import { crossOriginRefusal } from '../request-gate';
import type { StepFunctionsApi } from '../stepfunctions/api';
import { isExpressExecutionArn } from '../stepfunctions/stepfunctions-service';
import { coalesce } from './coalesce';

const WEB_DIR = join(__dirname, 'web');
const OPENAPI_DOCUMENT = join(__dirname, '..', '..', 'docs', 'openapi.yaml');

/** The page's script, bundled and minified once at start-up: served from the runtime, no CDN. */
export interface ConsoleAssets {
  html: string;
  script: string;
  /** docs/openapi.yaml, served at /_local/openapi.yaml and linked from the page. */
  openApi: string;
}

/** Bundles local/console/web/main.ts (with dagre) for the browser. */
export async function buildConsoleAssets(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: [join(WEB_DIR, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no console bundle');
  return { html: readFileSync(join(WEB_DIR, 'index.html'), 'utf8'), script, openApi: readFileSync(OPENAPI_DOCUMENT, 'utf8') };
}

/** What the page needs to act as a storefront: the public API and the storefront's local key. */
export interface ConsoleConfig {
  apiUrl: string;
  storefrontKey: string;
}

type Json = Record<string, unknown>;

/** The local EventBridge as the console sees it (EventBridgeService). */
export interface DomainEventSource {
  recent(): readonly SeenEvent[];
  onEvent(listener: (seen: SeenEvent) => void): () => void;
}

/** At most one push per client per this interval, however fast executions change. */
export const PUSH_INTERVAL_MS = 250;
/** How many domain events GET /api/events lists (newest first). */
const EVENTS_LISTED = 200;

/**
 * The console's push channel, GET /api/stream (Server-Sent Events): `executions` when any
 * execution changed (the page then re-reads the list and the selected history), and
 * `domain-events` with the events put on a bus since the last push. Changes are noted
 * synchronously by the services and sent together, at most every PUSH_INTERVAL_MS.
 */
function pushChannel(sfn: StepFunctionsApi, events: DomainEventSource) {
  const clients = new Set<ServerResponse>();
  let executionsChanged = false;
  let pending: SeenEvent[] = [];
  const flush = () => {
    const message =
      (executionsChanged ? 'event: executions\ndata: {}\n\n' : '') +
      (pending.length > 0 ? `event: domain-events\ndata: ${JSON.stringify(pending)}\n\n` : '');
    executionsChanged = false;
    pending = [];
    if (message) for (const client of clients) client.write(message);
  };
  const push = coalesce(flush, PUSH_INTERVAL_MS);
  // With no page open, a change costs one size check.
  sfn.service.onChange(() => {
    if (clients.size === 0) return;
    executionsChanged = true;
    push.notify();
  });
  events.onEvent((seen) => {
    if (clients.size === 0) return;
    pending.push(seen);
    if (pending.length > EVENTS_LISTED) pending.shift();
    push.notify();
  });
  return (request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    // EventSource reconnects by itself after this many ms; the page re-reads everything when it does.
    response.write('retry: 1000\n\n');
    clients.add(response);
    request.on('close', () => { clients.delete(response); });
  };
}

/**
 * The operator console's HTTP handler: the page, its script, small JSON endpoints over the
 * in-process Step Functions API in AWS's shapes and the local EventBridge's recent events, and
 * their push channel (/api/stream). It has its own port, so the API Gateway
 * emulation stays free of anything AWS does not serve.
 */
/**
 * How the console labels an Express execution: AWS keeps no history for it and its API refuses it, so
 * what the console shows stands for the state machine's CloudWatch log (level ALL).
 */
export const EXPRESS_RECORD = 'Express: from the logged events (CloudWatch Logs on AWS, which keeps no execution history)';

export function consoleEndpoint(sfn: StepFunctionsApi, events: DomainEventSource, assets: ConsoleAssets, config: ConsoleConfig) {
  const stream = pushChannel(sfn, events);
  const stateMachines = () => (sfn.handle('ListStateMachines', {}) as { stateMachines: { stateMachineArn: string }[] }).stateMachines;
  /** Every page of a paginated call, so the page never sees a nextToken. */
  const all = (operation: string, request: Json, key: string): unknown[] => {
    const items: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = sfn.handle(operation, { ...request, ...(nextToken ? { nextToken } : {}) }, 'logs') as Json;
      items.push(...(page[key] as unknown[]));
      nextToken = page.nextToken as string | undefined;
    } while (nextToken);
    return items;
  };

  return (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const send = (status: number, body: string, type: string) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      response.end(body);
    };
    const json = (status: number, body: unknown) => { send(status, JSON.stringify(body), 'application/json'); };
    const url = new URL(request.url ?? '/', 'http://console.local');
    const path = url.pathname;
    // The API holds the storefront key: no other page may read it or make the console work for it.
    const crossSite = path.startsWith('/api/') ? crossOriginRefusal(request) : undefined;
    if (crossSite) {
      json(403, { message: crossSite });
      return Promise.resolve();
    }
    if (request.method !== 'GET') {
      json(405, { message: 'The console is read-only' });
      return Promise.resolve();
    }
    if (path === '/' || path === '/index.html') send(200, assets.html, 'text/html; charset=utf-8');
    else if (path === '/console.js') send(200, assets.script, 'text/javascript; charset=utf-8');
    else if (path === '/_local/openapi.yaml') send(200, assets.openApi, 'application/yaml; charset=utf-8');
    else if (path === '/favicon.ico') send(204, '', 'image/x-icon');
    else if (path === '/api/config') json(200, config);
    else if (path === '/api/stream') stream(request, response);
    else if (path === '/api/events') json(200, { events: events.recent().slice(-EVENTS_LISTED).reverse() });
    else if (path === '/api/state-machines') {
      json(200, {
        stateMachines: stateMachines().map((machine) => {
          const described = sfn.handle('DescribeStateMachine', { stateMachineArn: machine.stateMachineArn }) as Json;
          return { ...described, definition: JSON.parse(described.definition as string) as unknown };
        }),
      });
    } else if (path === '/api/executions') {
      const status = url.searchParams.get('status') ?? '';
      const filter = status ? { statusFilter: status } : {};
      // ListExecutions answers newest first, so one page per machine holds the newest 200: the page
      // re-reads this on every push, and walking every page would cost the runtime more with every order.
      const executions = stateMachines()
        .flatMap((machine) => (sfn.handle('ListExecutions', { stateMachineArn: machine.stateMachineArn, maxResults: 200, ...filter }, 'logs') as { executions: { executionArn: string; startDate: number }[] }).executions)
        .sort((a, b) => b.startDate - a.startDate)
        .slice(0, 200)
        .map((execution) => (isExpressExecutionArn(execution.executionArn) ? { ...execution, record: EXPRESS_RECORD } : execution));
      json(200, { executions, counts: sfn.service.counts() });
    } else {
      const history = /^\/api\/executions\/([^/]+)\/history$/.exec(path);
      if (!history?.[1]) {
        json(404, { message: `No console route for ${path}` });
        return Promise.resolve();
      }
      const executionArn = decodeURIComponent(history[1]);
      try {
        json(200, {
          execution: sfn.handle('DescribeExecution', { executionArn }, 'logs'),
          ...(isExpressExecutionArn(executionArn) ? { record: EXPRESS_RECORD } : {}),
          events: all('GetExecutionHistory', { executionArn }, 'events'),
        });
      } catch (error) {
        json(404, { message: error instanceof Error ? error.message : String(error) });
      }
    }
    return Promise.resolve();
  };
}
