import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type RunningStore, localCredentials, startDynamoDb, startDynamoDbWithStreams } from '../local/storage/storage';
import { markdownTable, progress } from '../tests/support/report';
import { localTemplate } from '../tests/support/template';

/*
 * `npm run bench:store-cost`: what one DynamoDB request costs the DynamoDB process, in CPU, by kind:
 * GetItem, PutItem and a conditional UpdateItem on the Orders table (its status index and stream
 * included), through the SDK at --concurrency. Two setups alternate, round by round:
 * - dynalite: plain dynalite, as the emulation baseline runs it;
 * - runtime: dynalite with the streams front in its process, as `npm start` runs it (a stream record
 *   per write, the item's images, the write's intent).
 * The figure is the DynamoDB process's own CPU (all its threads, from /proc) per request, so the
 * client's CPU and the machine's other load stay out of it as far as they can. These are the
 * per-request costs docs/performance.md builds the runtime's per-order arithmetic from.
 * Flags: --requests 2000 (per kind, per round)  --rounds 3  --concurrency 4
 *        --cpu-prof DIR (the runtime's DynamoDB process writes DIR/dynalite.cpuprofile as it stops)
 */
const { values } = parseArgs({
  options: { requests: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '4' }, 'cpu-prof': { type: 'string' } },
});
const [requests, rounds, concurrency] = [Number(values.requests), Number(values.rounds), Number(values.concurrency)];
if (![requests, rounds, concurrency].every((value) => Number.isInteger(value) && value > 0)) {
  console.error('--requests, --rounds and --concurrency take positive integers');
  process.exit(2);
}
const REGION = 'us-east-1';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime ticks of every child process of this one whose command line names the store. */
function storeTicks(): number {
  let ticks = 0;
  for (const task of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('store-process')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks;
}

/** An order item shaped like the ones CreateOrder writes (about 1.3 KB). */
function orderItem(orderId: string): Record<string, { S: string } | { N: string } | { L: { M: Record<string, { S: string } | { N: string }> }[] }> {
  return {
    orderId: { S: orderId },
    status: { S: 'RECEIVED' },
    createdAt: { S: new Date().toISOString() },
    updatedAt: { S: new Date().toISOString() },
    customerId: { S: 'bench-store-cost' },
    currency: { S: 'USD' },
    totalCents: { N: '12345' },
    lines: { L: [1, 2, 3].map((line) => ({ M: { sku: { S: `SKU-${String(line)}` }, name: { S: `Product number ${String(line)} with a longer name` }, quantity: { N: String(line) }, unitPriceCents: { N: '1999' } } })) },
    shipTo: { S: 'x'.repeat(600) },
    paymentToken: { S: 'tok_visa_bench_store_cost' },
  };
}

/** Runs `count` requests, `concurrency` at a time. */
async function pool(count: number, request: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await request(next++);
  }));
}

interface Setup {
  name: string;
  store: RunningStore;
  client: DynamoDBClient;
  /** Request kind → [ticks, requests, seconds]. */
  totals: Map<string, [number, number, number]>;
}

async function measure(setup: Setup, kind: string, run: () => Promise<void>): Promise<void> {
  const before = storeTicks();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const [ticks, count, elapsed] = setup.totals.get(kind) ?? [0, 0, 0];
  setup.totals.set(kind, [ticks + storeTicks() - before, count + requests, elapsed + seconds]);
}

async function round(setup: Setup, index: number): Promise<void> {
  const table = localTemplate().tables.find((candidate) => candidate.stream && candidate.keySchema.some((key) => key.AttributeName === 'orderId'));
  if (!table) throw new Error('template.yaml has no streamed table keyed by orderId');
  const id = (n: number) => `order-${String(index)}-${String(n)}`;
  progress(`${setup.name} round ${String(index + 1)}`);
  await measure(setup, 'PutItem', () => pool(requests, (n) => setup.client.send(new PutItemCommand({ TableName: table.name, Item: orderItem(id(n)) }))));
  await measure(setup, 'GetItem', () => pool(requests, (n) => setup.client.send(new GetItemCommand({ TableName: table.name, Key: { orderId: { S: id(n) } } }))));
  await measure(setup, 'UpdateItem (conditional)', () =>
    pool(requests, (n) =>
      setup.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: { orderId: { S: id(n) } },
          UpdateExpression: 'SET #status = :next, updatedAt = :now',
          ConditionExpression: '#status = :previous',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':next': { S: 'PAYMENT_AUTHORIZED' }, ':previous': { S: 'RECEIVED' }, ':now': { S: new Date().toISOString() } },
        }),
      ),
    ),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-cost-'));
  const { tables } = localTemplate();
  const address = { port: 0, host: '127.0.0.1' };
  const client = (store: RunningStore) => new DynamoDBClient({ region: REGION, endpoint: store.endpoint, credentials: localCredentials(), maxAttempts: 1 });
  const setups: Setup[] = [];
  try {
    // Both run throughout and both are counted; only one is sent requests at a time, and an idle one costs next to nothing.
    const plain = await startDynamoDb(join(dir, 'plain'), address, tables, REGION);
    setups.push({ name: 'dynalite', store: plain, client: client(plain), totals: new Map() });
    const fronted = await startDynamoDbWithStreams(join(dir, 'runtime'), address, tables, REGION, join(dir, 'streams'), values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {});
    setups.push({ name: 'runtime (streams front)', store: fronted, client: client(fronted), totals: new Map() });
    for (let index = 0; index < rounds; index += 1) {
      for (const setup of index % 2 === 0 ? setups : [...setups].reverse()) await round(setup, index);
    }
  } finally {
    for (const setup of setups) {
      setup.client.destroy();
      await setup.store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const kinds = [...(setups[0]?.totals.keys() ?? [])];
  console.log(`\n## DynamoDB process CPU per request (${String(rounds)} rounds × ${String(requests)} requests per kind, concurrency ${String(concurrency)})\n`);
  console.log(
    markdownTable(
      ['request', ...setups.flatMap((setup) => [`${setup.name} µs CPU`, `${setup.name} req/s`])],
      kinds.map((kind) => [
        kind,
        ...setups.flatMap((setup) => {
          const [ticks, count, seconds] = setup.totals.get(kind) ?? [0, 1, 1];
          return [Math.round((ticks / TICKS_PER_SECOND / count) * 1e6), Math.round(count / seconds)];
        }),
      ]),
    ),
  );
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
