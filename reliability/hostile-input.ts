import fc from 'fast-check';
import { orderRequest } from '../tests/support/orders';
import { inPool } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import { type Row, progress } from './summary';

/*
 * fast-check generates hostile HTTP requests: broken fields, wrong types, odd numbers and text,
 * deep nesting, sizes around the 16 KB limit, invalid JSON, wrong content types, odd path ids
 * and headers. Every response must be a JSON 4xx (never ≥ 500), name the field where the
 * function validated it, and a rejected request must create no order and no execution.
 */

interface HostileRequest {
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The field the request breaks, when there is exactly one. */
  field?: string;
}

const valid = orderRequest({ customerId: 'hostile' });
const FIELDS = ['customerId', 'items', 'shippingAddress', 'payment'] as const;
const NESTED_FIELDS = [
  'items.0.sku',
  'items.0.quantity',
  'shippingAddress.name',
  'shippingAddress.line1',
  'shippingAddress.city',
  'shippingAddress.postalCode',
  'shippingAddress.country',
  'payment.token',
] as const;

const weirdNumber = fc.oneof(
  fc.constantFrom(0, -1, -0, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e21, -1e21, 0.1 + 0.2),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1e9, max: 1e9 }),
);
const weirdText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', 'NaN', 'Infinity', '-0', '<script>alert(1)</script>', '../../etc/passwd', '4242424242424242', 'x'.repeat(5000)),
);
const weirdValue = fc.oneof(weirdNumber, weirdText, fc.constant(null), fc.boolean(), fc.jsonValue({ maxDepth: 4 }), fc.array(weirdText, { maxLength: 3 }));

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts.at(-1) ?? ''] = value;
}

const json = { 'Content-Type': 'application/json' };
const post = (kind: string, body: string, extra: Partial<HostileRequest> = {}): HostileRequest => ({ kind, method: 'POST', path: '/orders', headers: json, body, ...extra });

const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  // One nested field given a hostile value.
  fc.tuple(fc.constantFrom(...NESTED_FIELDS), weirdValue).map(([field, value]) => {
    const body = structuredClone(valid) as unknown as Record<string, unknown>;
    setPath(body, field, value);
    return post('field-value', JSON.stringify(body), { field });
  }),
  // A top-level field with the wrong type, or missing.
  fc.tuple(fc.constantFrom(...FIELDS), fc.option(weirdValue, { nil: undefined })).map(([field, value]) => {
    const { [field]: _removed, ...rest } = structuredClone(valid) as unknown as Record<string, unknown>;
    const body = value === undefined ? rest : { ...rest, [field]: value };
    return post(value === undefined ? 'missing-field' : 'field-type', JSON.stringify(body), { field });
  }),
  // Extra fields, such as a client-side price.
  fc.tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !(FIELDS as readonly string[]).includes(key)), weirdValue).map(([key, value]) =>
    post('extra-field', JSON.stringify({ ...valid, [key]: value }), { field: key }),
  ),
  // Deep nesting and sizes around the limit.
  fc.integer({ min: 50, max: 5000 }).map((depth) => post('deep-nesting', `${'['.repeat(depth)}${']'.repeat(depth)}`)),
  fc.integer({ min: 16 * 1024 - 300, max: 16 * 1024 + 300 }).map((size) => {
    const text = JSON.stringify({ ...valid, customerId: '' });
    return post('size-limit', text.replace('{', `{${' '.repeat(Math.max(0, size - text.length))}`));
  }),
  // Not JSON at all, or NaN-like literals JSON does not allow.
  fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '{"customerId":NaN}', '{"items":[{"quantity":Infinity}]}', 'null', '[]', '"order"', '\u0000')).map((body) =>
    post('invalid-json', body),
  ),
  // A valid body with the wrong content type.
  fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', '').map(
    (contentType): HostileRequest => ({
      kind: 'content-type',
      method: 'POST',
      path: '/orders',
      headers: contentType ? { 'Content-Type': contentType } : {},
      body: JSON.stringify(valid),
    }),
  ),
  // Odd headers on an otherwise broken body (so nothing is accepted).
  fc.tuple(fc.constantFrom('Idempotency-Key', 'Prefer'), fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('wait=abc', 'wait=-1', 'wait=99999999', 'wait="', ' '))).map(([name, value]): HostileRequest => ({
    kind: 'headers',
    method: 'POST',
    path: '/orders',
    headers: { ...json, [name]: value.replace(/[^\x20-\x7e]/g, '') },
    body: JSON.stringify({ ...valid, items: [] }),
  })),
  // Path ids: overlong, traversal, odd encodings, unknown.
  fc
    .oneof(
      fc.string({ maxLength: 400 }).map((text) => encodeURIComponent(text) || 'x'),
      fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%2e%2e', 'ord_' + 'f'.repeat(32), 'ord_' + 'F'.repeat(32), 'ord_%00', '%ZZ', 'ord_' + 'a'.repeat(5000)),
    )
    .chain((id) => fc.constantFrom(`/orders/${id}`, `/orders/${id}/receipt`))
    .map((path): HostileRequest => ({ kind: 'path-id', method: 'GET', path, headers: {} })),
);

/** Sends `count` generated hostile requests and checks every response and the stores. */
export async function hostileInputSuite(clients: RuntimeClients, count: number): Promise<Row[]> {
  const requests = fc.sample(hostileRequest, { numRuns: count, seed: 20261125 });
  const ordersBefore = (await clients.scan('OrdersTable')).length;
  const executionsBefore = (await clients.executions()).length;

  const statuses = new Map<number, number>();
  const problems: string[] = [];
  let accepted = 0;
  let named = 0;
  let namedRequired = 0;
  let gatewayRejected = 0;
  let done = 0;
  await inPool(requests, 16, async (request) => {
    let response: { status: number; headers: Headers; body: unknown };
    try {
      response = await clients.api.request(request.method, request.path, { ...(request.body === undefined ? {} : { rawBody: request.body }), headers: request.headers });
    } catch (error) {
      problems.push(`${request.kind}: transport error ${String(error)}`);
      return;
    }
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (++done % 1000 === 0) progress(`hostile input: ${String(done)}/${String(requests.length)}`);
    if (response.status === 202 || response.status === 200) {
      accepted += 1;
      return;
    }
    if (response.status >= 500) problems.push(`${request.kind} ${request.method} ${request.path.slice(0, 60)} → ${String(response.status)}`);
    else if (response.status < 400) problems.push(`${request.kind} → ${String(response.status)}`);
    if (typeof response.body !== 'object' || response.body === null) {
      problems.push(`${request.kind} → ${String(response.status)} with a non-JSON body`);
      return;
    }
    const errors = (response.body as { errors?: { path?: string }[] }).errors;
    if (response.headers.get('x-amzn-errortype') === 'BadRequestException') gatewayRejected += 1;
    else if (request.field && response.status === 400) {
      namedRequired += 1;
      const top = request.field.split('.')[0] ?? '';
      if (errors?.some((error) => error.path === request.field || (error.path ?? '').startsWith(top))) named += 1;
      else problems.push(`${request.kind} on ${request.field} → 400 without naming it: ${JSON.stringify(errors)}`);
    }
  });

  const ordersAfter = (await clients.scan('OrdersTable')).length;
  const executionsAfter = (await clients.executions()).length;
  const created = ordersAfter - ordersBefore;
  const started = executionsAfter - executionsBefore;
  const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  const statusList = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${String(status)}×${String(n)}`).join(' ');
  for (const problem of problems.slice(0, 10)) progress(`hostile input problem: ${problem}`);
  return [
    {
      area: 'Hostile input',
      check: 'responses ≥ 500',
      tried: `${String(requests.length)} generated requests (${statusList})`,
      required: '0',
      observed: String(fiveHundreds),
      held: fiveHundreds === 0,
    },
    {
      area: 'Hostile input',
      check: 'JSON 4xx naming the field',
      tried: `${String(namedRequired)} function-validated single-field breaks; ${String(gatewayRejected)} stopped by the API Gateway model`,
      required: 'all named',
      observed: `${String(named)} named, ${String(problems.length)} problems`,
      held: problems.length === 0 && named === namedRequired,
    },
    {
      area: 'Hostile input',
      check: 'orders/executions from rejected requests',
      tried: `${String(requests.length - accepted)} rejected, ${String(accepted)} accepted`,
      required: `orders +${String(accepted)}, executions +${String(accepted)}`,
      observed: `orders +${String(created)}, executions +${String(started)}`,
      held: created === accepted && started === accepted,
    },
  ];
}
