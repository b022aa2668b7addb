import { request as httpRequest } from 'node:http';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { orderRequest } from '../tests/support/orders';
import type { RuntimeHandle } from './chaos';
import { type Row, progress } from './summary';

/*
 * What a web page the developer has open could do to the local runtime (issue 12, breaks 4, 6, 7):
 * simple requests from another origin to every endpoint, DNS rebinding (a foreign Host), two
 * Content-Type headers, and paths and names the gateway used to normalise or choke on. Each
 * attempt is sent as a raw HTTP request, exactly as written; what must still work is sent the
 * way the real callers send it (SDK clients, same-origin requests).
 */

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the path and headers exactly as given (no normalisation, repeats kept). */
function send(base: string, method: string, path: string, headers: [string, string][] = [], body = ''): Promise<Reply> {
  const { hostname, port, host } = new URL(base);
  const named = new Set(headers.map(([name]) => name.toLowerCase()));
  const flat = [...(named.has('host') ? [] : ['Host', host]), ...headers.flat(), 'Content-Length', String(Buffer.byteLength(body))];
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ hostname, port, path, method, headers: flat, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => { resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }); });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

interface Check {
  what: string;
  ok: boolean;
  seen: string;
}

function row(area: string, check: string, tried: string, required: string, checks: Check[]): Row {
  const failed = checks.filter((item) => !item.ok);
  return {
    area,
    check,
    tried,
    required,
    observed: failed.length === 0 ? `${String(checks.length)}/${String(checks.length)} as required` : failed.map((item) => `${item.what}: ${item.seen}`).join('; '),
    held: failed.length === 0,
  };
}

const EVIL = 'http://evil.example';
const FAKE_SIGV4 = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDLOCALPROBE/20261201/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

const expectStatus = (what: string, reply: Reply, statuses: number[], extra = true): Check => ({
  what,
  ok: statuses.includes(reply.status) && extra,
  seen: `${String(reply.status)} ${reply.body.slice(0, 120)}`,
});

/** Cross-site use of the AWS and local-only endpoints, and what legitimately calls them. */
async function crossSiteChecks(handle: RuntimeHandle, marker: string): Promise<Check[]> {
  const { info } = handle.current;
  const { lambda, sfn, s3, dynamodb } = info.endpoints;
  const createOrder = info.functions.find((name) => name.includes('CreateOrder')) ?? 'CreateOrderFunction';
  const partner = info.apiKeys[1] ?? info.apiKeys[0];
  const forgedEvent = JSON.stringify({
    httpMethod: 'POST',
    path: '/orders',
    resource: '/orders',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(orderRequest({ customerId: marker })),
    requestContext: { path: '/dev/orders', identity: { apiKeyId: partner?.id ?? null } },
  });
  const invokePath = `/2015-03-31/functions/${createOrder}/invocations`;
  const bucket = Object.values(info.buckets)[0] ?? 'receipts';
  const faultsBefore = (await send(lambda, 'GET', '/_local/faults')).body;
  const checks: Check[] = [];
  const fromPage = (reply: Reply) => reply.headers['access-control-allow-origin'] === undefined;

  const textPlainInvoke = await send(lambda, 'POST', invokePath, [['Content-Type', 'text/plain'], ['Origin', EVIL]], forgedEvent);
  checks.push(expectStatus('text/plain cross-origin Lambda Invoke of CreateOrder with a forged apiKeyId', textPlainInvoke, [403]));
  const unsignedInvoke = await send(lambda, 'POST', invokePath, [['Content-Type', 'application/json']], forgedEvent);
  checks.push(expectStatus('unsigned Lambda Invoke', unsignedInvoke, [403], unsignedInvoke.headers['x-amzn-errortype'] === 'MissingAuthenticationTokenException'));
  const signedFromPage = await send(lambda, 'POST', invokePath, [['Authorization', FAKE_SIGV4('lambda')], ['Origin', EVIL]], forgedEvent);
  checks.push(expectStatus('signed Lambda Invoke with a foreign Origin', signedFromPage, [403]));
  const unsignedStart = await send(sfn, 'POST', '/', [['Content-Type', 'application/x-amz-json-1.0'], ['X-Amz-Target', 'AWSStepFunctions.StartExecution']], JSON.stringify({ stateMachineArn: Object.values(info.stateMachines)[0], name: marker, input: '{}' }));
  checks.push(expectStatus('unsigned StartExecution', unsignedStart, [403], unsignedStart.body.includes('MissingAuthenticationTokenException')));
  const unsignedScan = await send(dynamodb, 'POST', '/', [['Content-Type', 'application/x-amz-json-1.0'], ['X-Amz-Target', 'DynamoDB_20120810.Scan']], JSON.stringify({ TableName: Object.values(info.tables)[0] }));
  checks.push(expectStatus('unsigned DynamoDB Scan', unsignedScan, [400], unsignedScan.body.includes('MissingAuthenticationTokenException')));
  const unsignedList = await send(s3, 'GET', `/${bucket}`);
  checks.push(expectStatus('unsigned S3 ListObjects', unsignedList, [403], unsignedList.body.includes('<Code>AccessDenied</Code>')));
  const formUpload = await send(s3, 'POST', `/${bucket}`, [['Content-Type', 'multipart/form-data; boundary=x'], ['Origin', EVIL]], '--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nplanted\r\n--x--\r\n');
  checks.push(expectStatus('cross-origin S3 form upload', formUpload, [403]));
  for (const [name, base, path] of [['Lambda', lambda, invokePath], ['Step Functions', sfn, '/'], ['DynamoDB', dynamodb, '/'], ['S3', s3, `/${bucket}/x`]] as const) {
    const preflight = await send(base, 'OPTIONS', path, [['Origin', EVIL], ['Access-Control-Request-Method', 'POST'], ['Access-Control-Request-Headers', 'authorization,x-amz-target']]);
    checks.push(expectStatus(`${name} CORS preflight from a page`, preflight, [400, 403], fromPage(preflight)));
  }

  const plainFault = await send(lambda, 'POST', '/_local/faults', [['Content-Type', 'text/plain']], JSON.stringify({ function: createOrder, kind: 'crash', count: 100 }));
  checks.push(expectStatus('text/plain POST /_local/faults', plainFault, [415]));
  const foreignFault = await send(lambda, 'POST', '/_local/faults', [['Content-Type', 'application/json'], ['Origin', EVIL]], JSON.stringify({ function: createOrder, kind: 'crash', count: 100 }));
  checks.push(expectStatus('cross-origin JSON POST /_local/faults', foreignFault, [403]));
  const crossSiteGet = await send(lambda, 'GET', '/_local/faults', [['Sec-Fetch-Site', 'cross-site']]);
  checks.push(expectStatus('cross-site GET /_local/faults', crossSiteGet, [403]));
  const faultsAfter = await send(lambda, 'GET', '/_local/faults');
  checks.push({ what: 'faults injected by the attempts', ok: faultsAfter.status === 200 && faultsAfter.body === faultsBefore, seen: `${faultsBefore} → ${faultsAfter.body}` });

  const console = info.consoleUrl;
  const foreignConfig = await send(console, 'GET', '/api/config', [['Origin', EVIL]]);
  checks.push(expectStatus('console /api/config from a foreign Origin', foreignConfig, [403], !foreignConfig.body.includes(partner?.value ?? '\u0000')));
  checks.push(expectStatus('console /api/config from a cross-site page', await send(console, 'GET', '/api/config', [['Sec-Fetch-Site', 'same-site']]), [403]));

  // What legitimately calls these endpoints still works.
  const sameOriginConfig = await send(console, 'GET', '/api/config', [['Sec-Fetch-Site', 'same-origin']]);
  checks.push(expectStatus('console /api/config from its own page', sameOriginConfig, [200]));
  const client = new LambdaClient({ region: info.region, endpoint: lambda, credentials: info.credentials });
  try {
    const listed = await client.send(new ListFunctionsCommand({}));
    checks.push({ what: 'Lambda ListFunctions through the SDK', ok: (listed.Functions?.length ?? 0) === info.functions.length, seen: String(listed.Functions?.length) });
  } finally {
    client.destroy();
  }
  const executions = await handle.clients.executions();
  checks.push({ what: 'no execution named by the unsigned StartExecution (SDK ListExecutions)', ok: !executions.includes(marker), seen: `${String(executions.length)} listed` });
  checks.push({ what: 'S3 through the SDK', ok: !(await handle.clients.exists(Object.keys(info.buckets)[0] ?? '', 'planted')), seen: 'planted object exists' });
  return checks;
}

/** A foreign Host header on every port (DNS rebinding), and the names that must keep working. */
async function hostChecks(handle: RuntimeHandle): Promise<Check[]> {
  const { info } = handle.current;
  const ports: [string, string][] = [['API', info.apiUrl], ['console', info.consoleUrl], ...Object.entries(info.endpoints)];
  const checks: Check[] = [];
  for (const [name, url] of ports) {
    const port = new URL(url).port;
    const reply = await send(url, 'GET', '/', [['Host', `rebound.evil.example:${port}`]]);
    checks.push(expectStatus(`${name} port under a foreign Host`, reply, [421], reply.body.includes('DNS rebinding')));
  }
  const consolePort = new URL(info.consoleUrl).port;
  for (const host of ['localhost', '127.0.0.1']) {
    checks.push(expectStatus(`console /api/config as ${host}`, await send(info.consoleUrl, 'GET', '/api/config', [['Host', `${host}:${consolePort}`]]), [200]));
  }
  return checks;
}

async function ordersOf(handle: RuntimeHandle, customerId: string): Promise<number> {
  const table = Object.keys(handle.current.info.tables).find((id) => id.startsWith('Orders')) ?? '';
  return (await handle.clients.scan(table)).filter((item) => item.customerId === customerId).length;
}

/** Two Content-Type headers: the gateway validates the one the function reads. */
async function duplicateHeaderChecks(handle: RuntimeHandle, marker: string): Promise<Check[]> {
  const { apiUrl, apiKeys } = handle.current.info;
  const stagePath = new URL(apiUrl).pathname;
  const key = apiKeys[0]?.value ?? '';
  const offModel = JSON.stringify({ ...orderRequest({ customerId: marker }), notInTheModel: true });
  const checks: Check[] = [];
  for (const types of [['text/plain', 'application/json'], ['application/json', 'application/json; charset=utf-8']]) {
    const reply = await send(apiUrl, 'POST', `${stagePath}/orders`, [['x-api-key', key], ...types.map((type): [string, string] => ['Content-Type', type])], offModel);
    checks.push(expectStatus(`Content-Type ${types.join(' then ')} with a body off the model`, reply, [400], reply.headers['x-amzn-errortype'] === 'BadRequestException'));
  }
  checks.push({ what: 'orders created by them', ok: (await ordersOf(handle, marker)) === 0, seen: 'an order exists' });
  return checks;
}

/** Small differences from AWS: %ZZ in a function name, OPTIONS and resolved paths with no resource, runtime.json after a crash. */
async function smallDifferenceChecks(handle: RuntimeHandle, marker: string): Promise<Check[]> {
  const { info } = handle.current;
  const stagePath = new URL(info.apiUrl).pathname;
  const key = info.apiKeys[0]?.value ?? '';
  const body = JSON.stringify(orderRequest({ customerId: marker }));
  const checks: Check[] = [];
  const badName = await send(info.endpoints.lambda, 'POST', '/2015-03-31/functions/Create%ZZ/invocations', [['Authorization', FAKE_SIGV4('lambda')]], '{}');
  checks.push(expectStatus('%ZZ in a Lambda function name', badName, [400]));
  checks.push(expectStatus('OPTIONS on a path with no resource', await send(info.apiUrl, 'OPTIONS', `${stagePath}/nowhere`), [403]));
  for (const path of [`/x/%2e%2e${stagePath}/orders`, `/x/..${stagePath}/orders`, `${stagePath}\\orders`, `${stagePath}/x/%2E%2E/orders`]) {
    const reply = await send(info.apiUrl, 'POST', path, [['x-api-key', key], ['Content-Type', 'application/json']], body);
    checks.push(expectStatus(`POST ${path}`, reply, [403]));
  }
  checks.push({ what: 'orders created through those paths', ok: (await ordersOf(handle, marker)) === 0, seen: 'an order exists' });
  await handle.killAndRestart();
  checks.push({ what: "a killed runtime's runtime.json, on restart", ok: handle.current.staleInfoRemoved === true, seen: `removed before the new one: ${String(handle.current.staleInfoRemoved)}` });
  return checks;
}

/** The rows for cross-site use, the Host check, duplicate headers and the small differences. */
export async function crossSiteSuite(handle: RuntimeHandle): Promise<Row[]> {
  const marker = `cross-site-${String(Date.now())}`;
  progress('cross-site requests, foreign Host headers, duplicate headers, paths');
  return [
    row(
      'cross-site',
      'a web page cannot use the local endpoints',
      'text/plain and cross-origin requests to Lambda Invoke (CreateOrder, forged apiKeyId), StartExecution, DynamoDB, S3 and /_local/faults; CORS preflights; console /api/config from another origin',
      'AWS endpoints refuse unsigned requests (403 MissingAuthenticationTokenException; DynamoDB 400; S3 403 AccessDenied) and approve no preflight; local-only endpoints refuse other origins and non-JSON bodies; SDK clients and same-origin calls still work',
      await crossSiteChecks(handle, marker),
    ),
    row(
      'cross-site',
      'Host check on every port',
      'a foreign Host (DNS rebinding) on the API, console, Lambda, Step Functions, S3 and DynamoDB ports',
      '421 with a message on every port; localhost and 127.0.0.1 served',
      await hostChecks(handle),
    ),
    row(
      'API Gateway parity',
      'duplicate headers',
      'POST /orders with two Content-Type headers and a body off the model',
      'the validator reads the last value, as the function does: 400 from the gateway, no order',
      await duplicateHeaderChecks(handle, `${marker}-dup`),
    ),
    row(
      'API Gateway parity',
      'small differences from AWS',
      '%ZZ in a Lambda function name; OPTIONS on an unknown path; %2e%2e, .. and backslash paths; SIGKILL and restart',
      '400; 403; 403 and no order; the stale runtime.json removed as the runtime starts',
      await smallDifferenceChecks(handle, `${marker}-path`),
    ),
  ];
}
