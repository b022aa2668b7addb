import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { crossOriginRefusal } from '../request-gate';
import type { StepFunctionsApi } from '../stepfunctions/api';

const WEB_DIR = join(__dirname, 'web');

/** The page's script, bundled and minified once at start-up: served from the runtime, no CDN. */
export interface ConsoleAssets {
  html: string;
  script: string;
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
  return { html: readFileSync(join(WEB_DIR, 'index.html'), 'utf8'), script };
}

/** What the page needs to act as a storefront: the public API and the storefront's local key. */
export interface ConsoleConfig {
  apiUrl: string;
  storefrontKey: string;
}

type Json = Record<string, unknown>;

/**
 * The operator console's HTTP handler: the page, its script, and small JSON endpoints over the
 * in-process Step Functions API in AWS's shapes. It has its own port, so the API Gateway
 * emulation stays free of anything AWS does not serve.
 */
export function consoleEndpoint(sfn: StepFunctionsApi, assets: ConsoleAssets, config: ConsoleConfig) {
  const stateMachines = () => (sfn.handle('ListStateMachines', {}) as { stateMachines: { stateMachineArn: string }[] }).stateMachines;
  /** Every page of a paginated call, so the page never sees a nextToken. */
  const all = (operation: string, request: Json, key: string): unknown[] => {
    const items: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = sfn.handle(operation, { ...request, ...(nextToken ? { nextToken } : {}) }) as Json;
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
    else if (path === '/favicon.ico') send(204, '', 'image/x-icon');
    else if (path === '/api/config') json(200, config);
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
      // polls every second, and walking every page would cost the runtime more with every order.
      const executions = stateMachines()
        .flatMap((machine) => (sfn.handle('ListExecutions', { stateMachineArn: machine.stateMachineArn, maxResults: 200, ...filter }) as { executions: { startDate: number }[] }).executions)
        .sort((a, b) => b.startDate - a.startDate)
        .slice(0, 200);
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
          execution: sfn.handle('DescribeExecution', { executionArn }),
          events: all('GetExecutionHistory', { executionArn }, 'events'),
        });
      } catch (error) {
        json(404, { message: error instanceof Error ? error.message : String(error) });
      }
    }
    return Promise.resolve();
  };
}
