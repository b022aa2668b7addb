import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ORDER_ID_PATTERN } from '#domain/order-ids';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { loadConfig } from '../../local/runtime';
import { loadLocalTemplate } from '../../local/template/local-template';
import { orderRequest } from '../support/orders';
import { signRequest } from '../support/sigv4-signer';
import { ROOT } from '../support/template';
import { type SamLocalFunctions, envVarsFor, startSamLocalFunctions } from './sam-local-functions';

/*
 * `npm run test:sam-local`: what a `sam local start-api` user gets, judged by SAM CLI's own code.
 * A fresh `npm start` runtime provides the emulators; the API functions run as sam local runs them
 * (sam-local-functions.ts); SAM's LocalApigwService routes, builds the events and parses the
 * responses (start_api.py). Prints one line per request and exits non-zero on any failure.
 * SAM_PYTHON names a Python with aws-sam-cli installed (default python3).
 */

const PYTHON = process.env.SAM_PYTHON ?? 'python3';
const ORDER_DEADLINE_MS = 30_000;
const START_DEADLINE_MS = 30_000;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

class CheckFailed extends Error {
  override name = 'CheckFailed';
}

function check(condition: boolean, message: string, reply?: Reply): asserts condition {
  if (!condition) throw new CheckFailed(reply ? `${message}\n  got ${String(reply.status)} ${reply.text.slice(0, 500)}` : message);
}

/** One HTTP request with the header names exactly as given (node:http keeps their case). */
function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${url} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function jsonOf(reply: Reply): Record<string, unknown> {
  try {
    return JSON.parse(reply.text) as Record<string, unknown>;
  } catch {
    throw new CheckFailed(`Expected a JSON body, got ${String(reply.status)} ${reply.text.slice(0, 200)}`);
  }
}

function report(label: string, reply: Reply, note = ''): void {
  console.log(`${label.padEnd(50)} ${String(reply.status)}${note ? `  ${note}` : ''}`);
}

/** Starts start_api.py and resolves with its URL once it accepts connections. */
async function startSamApi(invokeUrl: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(PYTHON, [join(__dirname, 'start_api.py'), '--template', join(ROOT, 'template.yaml'), '--invoke-url', invokeUrl], {
    cwd: ROOT,
    env: { ...process.env, SAM_CLI_TELEMETRY: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`SAM's local API did not start within ${String(START_DEADLINE_MS)} ms:\n${output}`)); }, START_DEADLINE_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /SAM_LOCAL_API (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start_api.py exited with ${String(code)}:\n${output}`));
    });
  });
  // The URL is printed just before Flask binds the port.
  const { port } = new URL(url);
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`SAM's local API never accepted connections on ${url}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, child, output: () => output };
}

/** Drives the four routes through SAM's service and asserts what a `sam local start-api` user gets. */
async function driveRoutes(api: string, runtime: LocalRuntimeProcess): Promise<void> {
  const [storefront, partner] = runtime.info.apiKeys;
  check(storefront !== undefined && partner !== undefined, 'runtime.json lists fewer than two API keys');
  const forbidden = '{"message":"Forbidden"}';

  const products = await send(`${api}/products`, 'GET', { 'x-API-key': storefront.value });
  report('GET /products', products);
  check(products.status === 200, 'GET /products with a local key must be 200', products);
  check(Array.isArray(jsonOf(products).products) && (jsonOf(products).products as unknown[]).length > 0, 'GET /products must list products', products);

  const missing = await send(`${api}/products`, 'GET');
  report('GET /products (no X-Api-Key)', missing);
  check(missing.status === 403 && missing.text === forbidden, 'A request without a key must get 403 {"message":"Forbidden"}', missing);

  const unknown = await send(`${api}/products`, 'GET', { 'X-Api-Key': 'local-unknown-key-000000000000000000' });
  report('GET /products (unknown X-Api-Key)', unknown);
  check(unknown.status === 403 && unknown.text === forbidden, 'A request with an unknown key must get 403 {"message":"Forbidden"}', unknown);

  const idempotencyKey = `sam-local-${String(Date.now())}`;
  const orderHeaders = { 'x-Api-KEY': storefront.value, 'content-TYPE': 'application/json', 'IDEMPOTENCY-key': idempotencyKey };
  const body = JSON.stringify(orderRequest());
  const created = await send(`${api}/orders`, 'POST', orderHeaders, body);
  const orderId = String(jsonOf(created).orderId);
  report('POST /orders', created, `Location: ${String(created.headers.location)}`);
  check(created.status === 202, 'POST /orders must be 202', created);
  check(ORDER_ID_PATTERN.test(orderId), 'POST /orders must return an order id', created);
  check(created.headers.location === `/orders/${orderId}`, 'Location must be /orders/{id}: sam local has no stage prefix', created);
  check(String(created.headers['access-control-expose-headers']).includes('Location'), 'Responses must expose Location to browsers', created);

  const replayed = await send(`${api}/orders`, 'POST', orderHeaders, body);
  report('POST /orders (same Idempotency-Key)', replayed, `Idempotent-Replayed: ${String(replayed.headers['idempotent-replayed'])}`);
  check(replayed.status === 202 && jsonOf(replayed).orderId === orderId && replayed.headers['idempotent-replayed'] === 'true', 'A repeated Idempotency-Key must replay the order', replayed);

  const deadline = Date.now() + ORDER_DEADLINE_MS;
  let order: Reply;
  for (;;) {
    order = await send(`${api}/orders/${orderId}`, 'GET', { 'X-API-KEY': storefront.value });
    const status = order.status === 200 ? jsonOf(order).status : undefined;
    if (order.status !== 200 || status === 'COMPLETED' || status === 'FAILED' || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  report('GET /orders/{orderId}', order, `status ${String(jsonOf(order).status)}`);
  check(order.status === 200 && jsonOf(order).status === 'COMPLETED', `GET /orders/{orderId} must reach COMPLETED within ${String(ORDER_DEADLINE_MS)} ms`, order);

  const otherKey = await send(`${api}/orders/${orderId}`, 'GET', { 'X-Api-Key': partner.value });
  report('GET /orders/{orderId} (another key)', otherKey);
  check(otherKey.status === 404, "Another key must not see the order (404)", otherKey);

  // AWS_IAM routes: SAM does not emulate IAM auth, so the functions verify SigV4 with LOCAL_IAM_PRINCIPALS (docs/iam-auth.md).
  const principals = loadConfig(join(ROOT, 'local', 'config.json')).iamPrincipals ?? [];
  const integrator = principals.find((principal) => principal.name === 'integrator');
  const operator = principals.find((principal) => principal.name === 'operator');
  check(integrator !== undefined && operator !== undefined, 'local/config.json must define the integrator and operator IAM principals');
  const signed = async (path: string, method: string, who: { accessKeyId: string; secretAccessKey: string }, payload?: string) => {
    const request = await signRequest(`${api}${path}`, { method, ...(payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: payload }) }, who);
    return send(`${api}${path}`, method, request.headers, payload);
  };
  const unsigned = await send(`${api}/integrations/orders/${orderId}`, 'GET');
  report('GET /integrations/orders/{orderId} (unsigned)', unsigned);
  check(unsigned.status === 403 && jsonOf(unsigned).message === 'Missing Authentication Token', 'An unsigned IAM request must get 403 Missing Authentication Token', unsigned);
  const keyOrder = await signed(`/integrations/orders/${orderId}`, 'GET', integrator);
  report('GET /integrations/orders/{orderId} (key-owned, signed)', keyOrder);
  check(keyOrder.status === 404, "A key's order must not be the integrator's (404)", keyOrder);
  const integrated = await signed('/integrations/orders', 'POST', integrator, JSON.stringify(orderRequest()));
  report('POST /integrations/orders (signed)', integrated);
  check(integrated.status === 202, 'A signed POST /integrations/orders must be 202', integrated);
  const denied = await signed('/admin/orders?status=FAILED', 'GET', integrator);
  report('GET /admin/orders (integrator)', denied);
  check(denied.status === 403 && String(jsonOf(denied).Message).includes('is not authorized to perform: execute-api:Invoke'), "The integrator's policy must not allow the operator routes", denied);
  const listed = await signed('/admin/orders?status=RECEIVED&limit=5', 'GET', operator);
  report('GET /admin/orders (operator)', listed);
  check(listed.status === 200 && Array.isArray(jsonOf(listed).orders), 'The operator must list orders', listed);

  // The same owner as under npm start: its own API Gateway emulation, with its stage prefix, serves the order to the same key.
  const viaRuntime = await send(`${runtime.info.apiUrl}/orders/${orderId}`, 'GET', { 'X-Api-Key': storefront.value });
  report('  same order via npm start (GET /dev/orders/{id})', viaRuntime);
  check(viaRuntime.status === 200, 'The order placed under sam local must belong to the same key under npm start', viaRuntime);

  const receipt = await send(`${api}/orders/${orderId}/receipt`, 'GET', { 'x-api-key': storefront.value });
  report('GET /orders/{orderId}/receipt', receipt);
  check(receipt.status === 200, 'GET /orders/{orderId}/receipt must be 200 for a COMPLETED order', receipt);
  const links = jsonOf(receipt);
  const link = await send(String(links.url), 'GET');
  report('  receipt url (presigned)', link);
  check(link.status === 200 && link.text.includes(orderId), 'The presigned url must fetch the receipt', link);
  check((links.document as { orderId?: string } | undefined)?.orderId === orderId, 'The receipt answer must carry the receipt document as JSON', receipt);
}

/**
 * The layers SAM CLI's providers mount at /opt for each function (`sam local invoke`, and start-api
 * for the API functions) are the ones the local runtime resolves packages from, for each
 * PaymentProvider: SAM skips a Layers entry it cannot follow (an !If), which would leave the
 * payment functions without the Stripe SDK under sam local only.
 */
function checkLayersAsSamSeesThem(): void {
  for (const PaymentProvider of ['simulator', 'stripe']) {
    const run = spawnSync(PYTHON, [join(__dirname, 'function_layers.py'), '--template', join(ROOT, 'template.yaml'), '--parameter-overrides', `PaymentProvider=${PaymentProvider}`], { encoding: 'utf8', timeout: 60_000 });
    check(run.status === 0, `function_layers.py failed: ${run.error?.message ?? run.stderr.trim().split('\n').slice(-3).join('\n')}`);
    const sam = JSON.parse(run.stdout) as Record<string, { name: string; codeuri: string | null }[]>;
    const local = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml'), parameterOverrides: { PaymentProvider } }).functions;
    for (const fn of local) {
      const expected = JSON.stringify(fn.layers.map((layer) => ({ name: layer.logicalId, codeuri: layer.contentDir })));
      const seen = JSON.stringify(sam[fn.logicalId] ?? []);
      check(seen === expected, `PaymentProvider=${PaymentProvider}: SAM CLI gives ${fn.logicalId} the layers ${seen}, the local runtime ${expected}`);
    }
    const layered = local.filter((fn) => fn.layers.length > 0).map((fn) => fn.logicalId);
    console.log(`PaymentProvider=${PaymentProvider}: SAM CLI mounts the same layers the runtime resolves from (${layered.length > 0 ? layered.join(', ') : 'none'})`);
  }
}

async function main(): Promise<number> {
  const probe = spawnSync(PYTHON, ['-c', 'import samcli.local.apigw.local_apigw_service'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const reason = probe.error ? probe.error.message : (probe.stderr.trim().split('\n').at(-1) ?? '');
    console.error(`SAM CLI cannot be imported by ${PYTHON} (${reason}). Install aws-sam-cli in it, or set SAM_PYTHON to a Python that has it.`);
    return 2;
  }
  const stateDir = newStateDir();
  const started = Date.now();
  let runtime: LocalRuntimeProcess | undefined;
  let functions: SamLocalFunctions | undefined;
  let sam: Awaited<ReturnType<typeof startSamApi>> | undefined;
  try {
    checkLayersAsSamSeesThem();
    runtime = await startLocalRuntime(stateDir, { fresh: true });
    functions = await startSamLocalFunctions({ root: ROOT, buildDir: join(stateDir, 'sam-local-build'), info: runtime.info, envVars: envVarsFor(stateDir) });
    sam = await startSamApi(functions.url);
    console.log(`SAM CLI's LocalApigwService at ${sam.url}, functions with AWS_SAM_LOCAL=true, emulators of a fresh npm start runtime`);
    await driveRoutes(sam.url, runtime);
    console.log(`sam local start-api: all checks passed in ${String(Date.now() - started)} ms`);
    return 0;
  } catch (error) {
    console.error(error instanceof CheckFailed ? `FAILED: ${error.message}` : error);
    if (sam) console.error(`--- start_api.py output ---\n${sam.output()}`);
    return 1;
  } finally {
    sam?.child.kill('SIGTERM');
    await functions?.close();
    await runtime?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
