import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { logger } from '#platform/powertools';
import { startDynamo } from '../tests/support/dynalite';
import { newStateDir, startLocalRuntime, UNTHROTTLED_OVERRIDES } from '../tests/support/local-runtime';
import { orderRecord, orderRequest } from '../tests/support/orders';
import { OrderWorkflowHarness } from '../tests/support/state-machine';
import { markdownTable, progress, writeResults } from '../tests/support/report';
import { RuntimeClients } from '../tests/support/runtime-clients';
import { ROOT, localTemplate } from '../tests/support/template';
import { loadLocalTemplate } from '../local/template/local-template';
import type { MeterReading } from '../local/storage/metering-proxy';
import { type PathFeed, changeFeedCost, pathFeed } from './lib/change-feed-cost';
import { indexWriteUnits } from './lib/index-write-cost';
import { RuntimeDriver } from './lib/runtime-driver';

/*
 * `npm run cost`: runs a realistic mix of orders through the local runtime (with --meter), then
 * prices what one order used on AWS: state transitions (StateEntered events in each history,
 * retries included), billed Lambda GB-seconds (REPORT lines × the template's MemorySize and
 * architecture), API Gateway requests, S3 requests and DynamoDB capacity units (metered at the
 * stores), log bytes and X-Ray traces, with the us-east-1 prices in bench/prices.json. Prints the
 * cost per 1M orders by service for Standard and for Express workflows.
 * Flags: --orders 400  --concurrency 8  --status-reads 3 (GET /orders/{id} per order, priced on its own line)
 */
const { values } = parseArgs({ options: { orders: { type: 'string' }, concurrency: { type: 'string' }, 'status-reads': { type: 'string' } } });
const ORDERS = Number(values.orders ?? 400);
const CONCURRENCY = Number(values.concurrency ?? 8);
const STATUS_READS = Number(values['status-reads'] ?? 3);
const TARGET_USD = 110;
/** Issue 16: the same mix on WorkflowType=EXPRESS. */
const EXPRESS_TARGET_USD = 25;
/** Issue 16: work per order (orders table and the simulators' ledger), S3 PUTs and log bytes at the prod log level. */
const DYNAMODB_REQUESTS_TARGET = 7;
const S3_PUTS_TARGET = 1;
const LOG_KB_TARGET = 1;
/** The environment priced: prod's log levels (template Globals) are what CloudWatch Logs bills. */
const ENVIRONMENT = 'prod';
/** What an execution log without execution data leaves out of each event's details (LoggingConfiguration.IncludeExecutionData: false). */
const EXECUTION_DATA = new Set(['input', 'output', 'parameters', 'cause', 'result']);

/**
 * The bytes an Express execution's CloudWatch log holds at level ALL without execution data: one
 * record per history event, in the shape Step Functions writes (id, type, details, previous_event_id,
 * event_timestamp, execution_arn, redrive_count), with the data fields left out.
 */
function expressLogRecordBytes(events: HistoryEvent[], stateMachineArn: string, orderId: string): number {
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':express:')}:${orderId}:00000000-0000-0000-0000-000000000000`;
  return events.reduce((sum, event) => {
    const detailsKey = Object.keys(event).find((key) => key.endsWith('EventDetails'));
    const details = detailsKey ? (event as unknown as Record<string, Record<string, unknown> | undefined>)[detailsKey] ?? {} : {};
    const record = {
      id: String(event.id ?? 0),
      type: event.type,
      details: Object.fromEntries(Object.entries(details).filter(([key]) => !EXECUTION_DATA.has(key) && !key.endsWith('Details'))),
      previous_event_id: String(event.previousEventId ?? 0),
      event_timestamp: String(event.timestamp?.getTime() ?? 0),
      execution_arn: executionArn,
      redrive_count: '0',
    };
    return sum + Buffer.byteLength(JSON.stringify(record));
  }, 0);
}

interface Price {
  usd: number;
  unit: string;
  source: string;
}
const priceFile = JSON.parse(readFileSync(join(__dirname, 'prices.json'), 'utf8')) as {
  asOf: string;
  prices: Record<string, Price>;
  assumptions: Record<string, { value: number; why: string }>;
};
const price = (name: string): number => {
  const entry = priceFile.prices[name];
  if (!entry) throw new Error(`bench/prices.json has no ${name}`);
  return entry.usd;
};
const assume = (name: string): number => {
  const entry = priceFile.assumptions[name];
  if (!entry) throw new Error(`bench/prices.json has no assumption ${name}`);
  return entry.value;
};

/** The mix: what share of orders takes which path, and the request that sends it there. */
const MIX = [
  { kind: 'approved', share: 0.94, request: () => orderRequest({ customerId: 'cost-approved' }) },
  { kind: 'declined', share: 0.03, request: () => orderRequest({ customerId: 'cost-declined', payment: { token: 'tok_chargeDeclined' } }) },
  { kind: 'transient retry', share: 0.02, request: () => orderRequest({ customerId: 'cost-transient', payment: { token: 'tok_flaky_1' } }) },
  {
    kind: 'shipping failure',
    share: 0.01,
    request: () => {
      const base = orderRequest({ customerId: 'cost-shipping' });
      return { ...base, shippingAddress: { ...base.shippingAddress, country: 'AQ' } };
    },
  },
] as const;

interface Report {
  functionName: string;
  billedMs: number;
  initMs?: number;
  memoryMb: number;
}

function reports(output: string): Report[] {
  const found: Report[] = [];
  for (const line of output.split('\n')) {
    const match = /REPORT RequestId: \S+\tFunction: (\S+)\tDuration: [\d.]+ ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB.*?(?:Init Duration: ([\d.]+) ms)?/.exec(line);
    if (!match?.[1]) continue;
    found.push({ functionName: match[1], billedMs: Number(match[2]), memoryMb: Number(match[3]), ...(match[4] ? { initMs: Number(match[4]) } : {}) });
  }
  return found;
}

/**
 * Bytes of function log lines (what CloudWatch Logs ingests), leaving out the runtime's own [local]
 * lines, and DEBUG and TRACE lines: with the JSON log format and no ApplicationLogLevel, Lambda
 * passes INFO and above (a sampled invocation's DEBUG lines stop there).
 */
function functionLogBytes(output: string): number {
  let bytes = 0;
  for (const line of output.split('\n')) {
    if (line.startsWith('{') && !/^\{[^{]*"level":"(DEBUG|TRACE)"/.test(line)) bytes += Buffer.byteLength(line) + 1;
  }
  return bytes;
}

async function meter(lambdaEndpoint: string, reset = false): Promise<{ dynamodb: MeterReading; s3: MeterReading }> {
  const response = await fetch(`${lambdaEndpoint}/_local/meter${reset ? '?reset=1' : ''}`);
  return (await response.json()) as { dynamodb: MeterReading; s3: MeterReading };
}

const perMillion = (usdPerOrder: number) => Math.round(usdPerOrder * 1e6 * 100) / 100;

/** The orders table's GSIs as the template declares them (dynalite does not bill index writes, so they are counted from each path's writes). */
const ORDERS_TABLE = localTemplate().tables.find((table) => table.logicalId === 'OrdersTable');
const ORDER_INDEXES = ORDERS_TABLE?.globalSecondaryIndexes ?? [];
const indexUnits: { kind: string; share: number; byIndex: Record<string, number> }[] = [];

/** Each mix path's writes to the orders table, recorded on the real ASL (dynalite, in process): the stream records and domain events it yields. */
async function changeFeeds(): Promise<PathFeed[]> {
  // The harness runs the task use cases in this process, and they log through the functions' Logger
  // at INFO (a bench sets no POWERTOOLS_LOG_LEVEL), which would print above the report. Only the
  // writes are recorded here; the log bytes priced below are the runtime's, read from its output.
  const level = logger.getLevelName();
  logger.setLogLevel('SILENT');
  const dynamo = await startDynamo();
  try {
    const feeds: PathFeed[] = [];
    for (const entry of MIX) {
      const harness = new OrderWorkflowHarness(dynamo);
      await harness.run(orderRecord(entry.request()));
      feeds.push(pathFeed(entry.kind, entry.share, harness.recording.changes));
      const tableKeys = (ORDERS_TABLE?.keySchema ?? []).map((key) => key.AttributeName);
      indexUnits.push({ kind: entry.kind, share: entry.share, byIndex: Object.fromEntries(ORDER_INDEXES.map((index) => [index.IndexName, indexWriteUnits(harness.recording.changes, index, tableKeys)])) });
    }
    return feeds;
  } finally {
    await dynamo.close();
    logger.setLogLevel(level);
  }
}

async function main(): Promise<void> {
  const template = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml'), parameterOverrides: { Environment: ENVIRONMENT } });
  const functions = new Map(template.functions.map((fn) => [fn.logicalId, fn]));
  progress('recording each path\'s orders-table writes for the change feed');
  const feeds = await changeFeeds();
  let output = '';
  const driverRef: { current?: RuntimeDriver } = {};
  progress(`starting the runtime with --meter; ${String(ORDERS)} orders at concurrency ${String(CONCURRENCY)}`);
  const runtime = await startLocalRuntime(newStateDir(), {
    fresh: true,
    meter: true,
    retainOutput: false,
    parameterOverrides: `Environment=${ENVIRONMENT} ${UNTHROTTLED_OVERRIDES}`,
    onOutput: (chunk) => {
      output += chunk;
      driverRef.current?.onOutput(chunk);
    },
  });
  const clients = new RuntimeClients(runtime.info);
  const apiKey = runtime.info.apiKeys[0]?.value ?? '';
  const driver = new RuntimeDriver({ apiUrl: runtime.info.apiUrl, apiKey }, orderRequest({ customerId: 'cost-warm-up' }));
  driverRef.current = driver;
  const stateMachineArn = Object.values(runtime.info.stateMachines)[0] ?? '';
  try {
    // Warm every environment first: cold starts are priced from the stated share, not from this run's few.
    await Promise.all(Array.from({ length: 6 }, async () => driver.completion(await driver.place())));
    // The warm-up's REPORT lines keep the environments' Init Durations, which INIT is priced from.
    const warmUp = output;
    output = '';
    await meter(runtime.info.endpoints.lambda, true);

    const plan = MIX.flatMap((entry) => Array.from({ length: Math.round(entry.share * ORDERS) }, () => entry));
    const placed: { orderId: string; kind: string; status?: string }[] = [];
    let next = 0;
    const customer = async () => {
      while (next < plan.length) {
        const entry = plan[next++];
        if (!entry) return;
        const orderId = await driver.placeWith(entry.request());
        const record: { orderId: string; kind: string; status?: string } = { orderId, kind: entry.kind };
        placed.push(record);
        record.status = await driver.completion(orderId);
        if (placed.length % 100 === 0) progress(`${String(placed.length)} of ${String(plan.length)} orders placed`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, customer));
    const stores = await meter(runtime.info.endpoints.lambda);

    progress('reading the execution histories');
    const transitions = new Map<string, number[]>();
    let expressBilledGbSeconds = 0;
    let expressLogBytes = 0;
    for (const order of placed) {
      const events: HistoryEvent[] = [];
      let token: string | undefined;
      do {
        const page = await clients.sfn.send(
          new GetExecutionHistoryCommand({ executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${order.orderId}`, nextToken: token, maxResults: 1000 }),
        );
        events.push(...(page.events ?? []));
        token = page.nextToken;
      } while (token);
      // Billed transitions: every state entered, plus every retry (a Task scheduled again within one entry).
      const count = (pattern: RegExp) => events.filter((event) => pattern.test(event.type ?? '')).length;
      const retries = count(/^(TaskScheduled|LambdaFunctionScheduled)$/) - count(/^TaskStateEntered$/);
      transitions.set(order.kind, [...(transitions.get(order.kind) ?? []), count(/StateEntered$/) + Math.max(0, retries)]);
      const started = events[0]?.timestamp?.getTime() ?? 0;
      const ended = events.at(-1)?.timestamp?.getTime() ?? started;
      // Express bills the whole run's duration rounded up to 100 ms, at 64 MB (a small state payload).
      expressBilledGbSeconds += (Math.ceil((ended - started) / 100) / 10) * (64 / 1024);
      expressLogBytes += expressLogRecordBytes(events, stateMachineArn, order.orderId);
    }

    // Per order, from this run.
    const n = placed.length;
    const allTransitions = [...transitions.values()].flat();
    const transitionsPerOrder = allTransitions.reduce((sum, count) => sum + count, 0) / n;
    const invocations = reports(output);
    const initMsByFunction = new Map<string, number[]>();
    for (const report of reports(warmUp + output)) {
      if (report.initMs !== undefined) initMsByFunction.set(report.functionName, [...(initMsByFunction.get(report.functionName) ?? []), report.initMs]);
    }
    const byFunction = new Map<string, { invocations: number; billedMs: number; gbSeconds: number }>();
    for (const report of invocations) {
      const fn = functions.get(report.functionName);
      const entry = byFunction.get(report.functionName) ?? { invocations: 0, billedMs: 0, gbSeconds: 0 };
      entry.invocations += 1;
      entry.billedMs += report.billedMs;
      entry.gbSeconds += (report.billedMs / 1000) * ((fn?.memoryMb ?? report.memoryMb) / 1024);
      byFunction.set(report.functionName, entry);
    }
    const gbSecondPrice = (name: string) => (functions.get(name)?.architecture === 'arm64' ? price('lambdaArmPerGbSecond') : price('lambdaX86PerGbSecond'));
    const lambdaRequests = invocations.length / n;
    const lambdaDurationUsd = [...byFunction].reduce((sum, [name, entry]) => sum + entry.gbSeconds * gbSecondPrice(name), 0) / n;
    // INIT: the stated share of invocations start cold, each billed its measured init duration.
    const initUsd =
      [...byFunction].reduce((sum, [name, entry]) => {
        const inits = initMsByFunction.get(name) ?? [];
        const meanInit = inits.length ? inits.reduce((a, b) => a + b, 0) / inits.length : 0;
        const memoryGb = (functions.get(name)?.memoryMb ?? 256) / 1024;
        return sum + entry.invocations * assume('lambdaColdStartShare') * (meanInit / 1000) * memoryGb * gbSecondPrice(name);
      }, 0) / n;
    // START, END and REPORT reach CloudWatch Logs only below SystemLogLevel WARN (the runtime prints them anyway).
    const platformLogBytes = invocations.filter((report) => functions.get(report.functionName)?.systemLogLevel !== 'WARN').length * assume('platformLogBytesPerInvocation');
    const logBytes = (functionLogBytes(output) + platformLogBytes) / n;
    const tables = runtime.info.tables;
    const capacity = (logicalId: string) => stores.dynamodb.capacity[tables[logicalId] ?? ''] ?? { read: 0, write: 0 };
    const orders = capacity('OrdersTable');
    const ledger = capacity('SimulatorLedgerTable');
    const s3Requests = stores.s3.requests;
    const s3Puts = Object.entries(s3Requests).filter(([op]) => /^(PUT|POST)/.test(op) || op === 'GET bucket').reduce((sum, [, count]) => sum + count, 0) / n;
    const s3Gets = Object.entries(s3Requests).filter(([op]) => /^(GET|HEAD) object/.test(op)).reduce((sum, [, count]) => sum + count, 0) / n;

    const lines: { service: string; usage: string; usd: number }[] = [
      { service: 'Step Functions (Standard)', usage: `${transitionsPerOrder.toFixed(2)} transitions`, usd: transitionsPerOrder * price('stepFunctionsStandardPerTransition') },
      { service: 'API Gateway (REST)', usage: '1 POST /orders', usd: price('apiGatewayRestPerRequest') },
      { service: 'Lambda requests', usage: `${lambdaRequests.toFixed(2)} invocations`, usd: lambdaRequests * price('lambdaPerRequest') },
      { service: 'Lambda duration', usage: `${((lambdaDurationUsd / price('lambdaArmPerGbSecond')) * 1000).toFixed(1)} GB-ms`, usd: lambdaDurationUsd },
      { service: 'Lambda INIT', usage: `${String(assume('lambdaColdStartShare') * 100)}% cold`, usd: initUsd },
      { service: 'DynamoDB (orders table)', usage: `${(orders.write / n).toFixed(2)} WRU, ${(orders.read / n).toFixed(2)} RRU`, usd: (orders.write / n) * price('dynamoDbPerWriteRequestUnit') + (orders.read / n) * price('dynamoDbPerReadRequestUnit') },
      { service: 'S3 (receipts)', usage: `${s3Puts.toFixed(2)} PUT, ${s3Gets.toFixed(2)} GET`, usd: s3Puts * price('s3PutPerRequest') + s3Gets * price('s3GetPerRequest') },
      { service: 'CloudWatch Logs', usage: `${(logBytes / 1024).toFixed(1)} KB`, usd: (logBytes / 2 ** 30) * price('cloudWatchLogsPerGbIngested') },
      { service: 'X-Ray', usage: `${String(assume('xraySampledShare') * 100)}% of traces`, usd: assume('xraySampledShare') * price('xrayPerTraceRecorded') },
    ];
    const simulator = { service: 'Provider simulators (ledger table; a real provider bills separately)', usage: `${(ledger.write / n).toFixed(2)} WRU, ${(ledger.read / n).toFixed(2)} RRU`, usd: (ledger.write / n) * price('dynamoDbPerWriteRequestUnit') + (ledger.read / n) * price('dynamoDbPerReadRequestUnit') };
    const standardTotal = lines.reduce((sum, line) => sum + line.usd, 0);
    const expressWorkflow = price('stepFunctionsExpressPerRequest') + (expressBilledGbSeconds / n) * price('stepFunctionsExpressPerGbSecond');
    // Express's operator view: its execution log at level ALL, without execution data (template.yaml), one record per history event.
    const expressLogs = (expressLogBytes / n / 2 ** 30) * price('cloudWatchLogsPerGbIngested');
    const expressTotal = standardTotal - (lines[0]?.usd ?? 0) + expressWorkflow + expressLogs;
    // A status read: API Gateway, GetOrder's invocation and duration, and one strongly consistent read.
    const getOrder = byFunction.get('GetOrderFunction');
    const statusRead = price('apiGatewayRestPerRequest') + price('lambdaPerRequest') + price('dynamoDbPerReadRequestUnit') + (getOrder ? (getOrder.gbSeconds / getOrder.invocations) * gbSecondPrice('GetOrderFunction') : 0);

    console.log(`\n## Usage per order (${String(n)} orders: ${MIX.map((entry) => `${String(entry.share * 100)}% ${entry.kind}`).join(', ')})\n`);
    console.log(
      markdownTable(
        ['path', 'orders', 'transitions per order (StateEntered, retries included)', 'outcomes'],
        MIX.map((entry) => {
          const counts = transitions.get(entry.kind) ?? [];
          const statuses = placed.filter((order) => order.kind === entry.kind).map((order) => order.status ?? '?');
          return [entry.kind, counts.length, counts.length ? (counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(2) : '-', [...new Set(statuses)].join(', ')];
        }),
      ),
    );
    console.log('');
    console.log(
      markdownTable(
        ['function', 'invocations per order', 'billed ms (mean)', 'MemorySize MB', 'GB-s per order'],
        [...byFunction].map(([name, entry]) => [name, (entry.invocations / n).toFixed(3), (entry.billedMs / entry.invocations).toFixed(1), functions.get(name)?.memoryMb ?? '?', (entry.gbSeconds / n).toFixed(5)]),
      ),
    );
    console.log(`\nStore requests per order: DynamoDB ${JSON.stringify(Object.fromEntries(Object.entries(stores.dynamodb.requests).map(([op, count]) => [op, Math.round((count / n) * 100) / 100])))}; S3 ${JSON.stringify(Object.fromEntries(Object.entries(s3Requests).map(([op, count]) => [op, Math.round((count / n) * 100) / 100])))}`);

    console.log(`\n## Cost per 1M orders, us-east-1 (prices as of ${priceFile.asOf}, bench/prices.json)\n`);
    console.log(
      markdownTable(
        ['service', 'per order', 'Standard $/1M orders', 'Express $/1M orders'],
        [
          ...lines.map((line, index) => [line.service, line.usage, perMillion(line.usd).toFixed(2), index === 0 ? '' : perMillion(line.usd).toFixed(2)]),
          ['Step Functions (Express)', `1 request, ${((expressBilledGbSeconds / n) * 1000).toFixed(1)} GB-ms`, '', perMillion(expressWorkflow).toFixed(2)],
          ['CloudWatch Logs (Express execution log, level ALL, no data)', `${(expressLogBytes / n / 1024).toFixed(1)} KB`, '', perMillion(expressLogs).toFixed(2)],
          ['**Total**', '', `**${perMillion(standardTotal).toFixed(2)}**`, `**${perMillion(expressTotal).toFixed(2)}**`],
          [simulator.service, simulator.usage, perMillion(simulator.usd).toFixed(2), perMillion(simulator.usd).toFixed(2)],
          [`Each customer status read (GET /orders/{id}), × ${String(STATUS_READS)} per order`, 'API GW + Lambda + 1 RRU', perMillion(statusRead * STATUS_READS).toFixed(2), perMillion(statusRead * STATUS_READS).toFixed(2)],
        ],
      ),
    );
    // Work per order, from the stores' meters: the orders table and the simulators' ledger (a real
    // provider is not DynamoDB), apart from the change feed's reads of the connections table.
    const byTable = (logicalId: string) => (stores.dynamodb.requestsByTable[tables[logicalId] ?? ''] ?? 0) / n;
    const workRequests = byTable('OrdersTable') + byTable('SimulatorLedgerTable');
    const s3PutObjects = (s3Requests['PUT object'] ?? 0) / n;
    const standardUsd = perMillion(standardTotal);
    const expressUsd = perMillion(expressTotal);
    console.log(`\nDynamoDB requests per order: ${workRequests.toFixed(2)} (orders table ${byTable('OrdersTable').toFixed(2)}, simulator ledger ${byTable('SimulatorLedgerTable').toFixed(2)}); change feed (connections table) ${byTable('ConnectionsTable').toFixed(2)}, not counted in the target.`);
    console.log(`\n## Targets (issue 16; ${ENVIRONMENT} configuration)\n`);
    console.log(
      markdownTable(
        ['target', 'measured', 'result'],
        [
          [`DynamoDB requests per order (orders table + simulator ledger, mix) ≤ ${String(DYNAMODB_REQUESTS_TARGET)}`, workRequests.toFixed(2), workRequests <= DYNAMODB_REQUESTS_TARGET ? 'met' : 'MISSED'],
          [`S3 PUTs per order (receipt objects) ≤ ${String(S3_PUTS_TARGET)}`, s3PutObjects.toFixed(2), s3PutObjects <= S3_PUTS_TARGET ? 'met' : 'MISSED'],
          [`CloudWatch Logs per order at the ${ENVIRONMENT} log level ≤ ${String(LOG_KB_TARGET)} KB`, `${(logBytes / 1024).toFixed(2)} KB`, logBytes / 1024 <= LOG_KB_TARGET ? 'met' : 'MISSED'],
          [`Standard ≤ $${String(TARGET_USD)} per 1M orders`, `$${standardUsd.toFixed(2)}`, standardUsd <= TARGET_USD ? 'met' : 'MISSED'],
          [`Express (WorkflowType=EXPRESS) ≤ $${String(EXPRESS_TARGET_USD)} per 1M orders`, `$${expressUsd.toFixed(2)}`, expressUsd <= EXPRESS_TARGET_USD ? 'met' : 'MISSED'],
        ],
      ),
    );
    // What the Standard target leaves for everything but the transitions, from this run's own lines.
    const fixedFloor = perMillion((lines[0]?.usd ?? 0) + price('apiGatewayRestPerRequest') + lambdaRequests * price('lambdaPerRequest') + S3_PUTS_TARGET * price('s3PutPerRequest'));
    console.log(
      `\nStandard floor: ${transitionsPerOrder.toFixed(2)} transitions ($${perMillion(lines[0]?.usd ?? 0).toFixed(2)}) + 1 REST request + ${lambdaRequests.toFixed(2)} Lambda requests + ${String(S3_PUTS_TARGET)} S3 PUT = $${fixedFloor.toFixed(2)} per 1M orders before any duration, DynamoDB, logs or X-Ray.`,
    );
    console.log(
      [
        '\nStandard vs Express:',
        '- Express is billed per request and duration, so its workflow line is cents; transitions dominate Standard.',
        '- Express runs at-least-once (a task can run twice: the idempotent steps here make that safe), up to 5 minutes, and keeps no execution history in the API: the status timeline must come from DynamoDB (it does) and history from CloudWatch Logs.',
        '- Standard runs exactly once, keeps 90 days of history for GetExecutionHistory and redrive, and waits up to a year (a human approval or a slow carrier fits).',
        '- Lambda, DynamoDB, S3, logs and API Gateway cost the same either way.',
      ].join('\n'),
    );
    for (const index of ORDER_INDEXES) {
      const perOrder = indexUnits.reduce((sum, path) => sum + path.share * (path.byIndex[index.IndexName] ?? 0), 0) / indexUnits.reduce((sum, path) => sum + path.share, 0);
      console.log(`\n## GSI ${index.IndexName} on the orders table: added write cost (in none of the totals; dynalite does not meter index writes)\n`);
      console.log(
        markdownTable(
          ['path', 'share', 'index write units per order'],
          [...indexUnits.map((path) => [path.kind, `${String(path.share * 100)}%`, path.byIndex[index.IndexName] ?? 0]), ['**mix**', '', `**${perOrder.toFixed(2)} WRU = $${perMillion(perOrder * price('dynamoDbPerWriteRequestUnit')).toFixed(2)} per 1M orders**`]],
        ),
      );
    }
    const publisherFn = functions.get('PublishOrderChangesFunction');
    const feed = changeFeedCost(feeds, price, assume, { memoryMb: publisherFn?.memoryMb ?? 256, arm: publisherFn?.architecture === 'arm64' });
    const feedTotal = feed.lines.reduce((sum, line) => sum + line.usd, 0);
    console.log('\n## Change feed, domain events and WebSocket push: added cost per 1M orders (not in the totals above)\n');
    console.log(
      markdownTable(
        ['path', 'share', 'stream records (orders-table writes)', 'domain events'],
        feeds.map((path) => [path.kind, `${String(path.share * 100)}%`, path.streamRecords, `${String(path.events.length)}: ${path.events.map((event) => event.detailType).join(', ')}`]),
      ),
    );
    console.log(`\nPer order in this mix: ${feed.streamRecordsPerOrder.toFixed(2)} stream records, ${feed.eventsPerOrder.toFixed(2)} events of ${feed.meanEventBytes.toFixed(0)} bytes on average.\n`);
    console.log(
      markdownTable(
        ['service', 'per order', '$/1M orders'],
        [...feed.lines.map((line) => [line.service, line.usage, perMillion(line.usd).toFixed(2)]), ['**Added total**', '', `**${perMillion(feedTotal).toFixed(2)}**`]],
      ),
    );
    const path = writeResults('cost', {
      orders: n,
      mix: MIX.map(({ kind, share }) => ({ kind, share })),
      pricesAsOf: priceFile.asOf,
      transitionsPerOrder,
      transitionsByPath: Object.fromEntries([...transitions].map(([kind, counts]) => [kind, counts.reduce((a, b) => a + b, 0) / counts.length])),
      lambda: Object.fromEntries([...byFunction].map(([name, entry]) => [name, { invocationsPerOrder: entry.invocations / n, meanBilledMs: entry.billedMs / entry.invocations }])),
      stores,
      standard: Object.fromEntries(lines.map((line) => [line.service, perMillion(line.usd)])),
      standardTotalPerMillion: perMillion(standardTotal),
      expressTotalPerMillion: perMillion(expressTotal),
      simulatorPerMillion: perMillion(simulator.usd),
      statusReadsPerMillion: perMillion(statusRead * STATUS_READS),
      targetPerMillion: TARGET_USD,
      environment: ENVIRONMENT,
      dynamoDbRequestsPerOrder: { work: workRequests, ordersTable: byTable('OrdersTable'), simulatorLedger: byTable('SimulatorLedgerTable'), changeFeed: byTable('ConnectionsTable') },
      s3PutsPerOrder: s3PutObjects,
      logBytesPerOrder: logBytes,
      changeFeed: {
        paths: feeds.map((entry) => ({ kind: entry.kind, streamRecords: entry.streamRecords, events: entry.events.map((event) => event.detailType) })),
        streamRecordsPerOrder: feed.streamRecordsPerOrder,
        eventsPerOrder: feed.eventsPerOrder,
        perMillion: Object.fromEntries(feed.lines.map((line) => [line.service, perMillion(line.usd)])),
        addedTotalPerMillion: perMillion(feedTotal),
      },
    });
    progress(`wrote ${path}`);
  } finally {
    clients.close();
    await runtime.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
