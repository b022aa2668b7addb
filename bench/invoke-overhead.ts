import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localFunctionEnvironment } from '../local/lambda/local-environment';
import { newStateDir, startLocalRuntime, UNTHROTTLED_OVERRIDES } from '../tests/support/local-runtime';
import { orderRequest } from '../tests/support/orders';
import { markdownTable, progress } from '../tests/support/report';
import { ROOT, localTemplate } from '../tests/support/template';
import { RuntimeDriver } from './lib/runtime-driver';

/*
 * `npm run bench:invoke-overhead`: what an execution environment adds to one invocation, in CPU.
 * GET /orders/{id} of one completed order, one request at a time:
 * - environment: through the runtime; the CPU of its execution environments (its WorkerThreads, from
 *   /proc) per request: the handler, plus the invoke message, the result message and the logs;
 * - in-thread: the very bundle the runtime built, required in this process with the function's
 *   environment and the runtime's endpoints, its handler called directly with the same event; the
 *   thread's own CPU per call (its log lines are discarded, not written).
 * Both read the same item from the same dynalite, alternating, after a warm-up of each.
 * Flags: --requests 2000 (per round)  --rounds 3
 */
const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' } } });
const [requests, rounds] = [Number(values.requests), Number(values.rounds)];
if (![requests, rounds].every((value) => Number.isInteger(value) && value > 0)) {
  console.error('--requests and --rounds take positive integers');
  process.exit(2);
}
const WARM_UP = 200;

/** utime + stime ticks (10 ms) of a process's execution environments: its threads named WorkerThread. */
function environmentTicks(pid: number): number {
  let ticks = 0;
  for (const task of readdirSync(`/proc/${String(pid)}/task`)) {
    const stat = readFileSync(`/proc/${String(pid)}/task/${task}/stat`, 'utf8');
    if (!stat.includes('(WorkerThread)')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

type Handler = (event: unknown, context: Record<string, unknown>) => Promise<{ statusCode: number }>;

async function main(): Promise<void> {
  const stateDir = newStateDir();
  const holder: { driver?: RuntimeDriver } = {};
  const runtime = await startLocalRuntime(stateDir, { fresh: true, retainOutput: false, parameterOverrides: UNTHROTTLED_OVERRIDES, onOutput: (chunk) => holder.driver?.onOutput(chunk) });
  const rows: (string | number)[][] = [];
  try {
    const driver = new RuntimeDriver({ apiUrl: runtime.info.apiUrl, apiKey: runtime.info.apiKeys[0]?.value ?? '' }, orderRequest({ customerId: 'bench-invoke-overhead' }));
    holder.driver = driver;
    const orderId = await driver.place();
    await driver.completion(orderId);
    const url = `${runtime.info.apiUrl}/orders/${orderId}`;
    const headers = { 'x-api-key': runtime.info.apiKeys[0]?.value ?? '' };
    const throughRuntime = async () => {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET through the runtime answered ${String(response.status)}`);
    };

    const fn = localTemplate().functions.find((candidate) => candidate.logicalId === 'GetOrderFunction');
    if (!fn) throw new Error('template.yaml has no GetOrderFunction');
    // As the runtime's environment gets it (local/lambda/lambda-service.ts), in this process.
    Object.assign(process.env, fn.environment, localFunctionEnvironment(runtime.info.endpoints, runtime.info.region), { AWS_LAMBDA_FUNCTION_NAME: fn.name, POWERTOOLS_TRACE_ENABLED: 'false' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the runtime's CJS bundle, whose path is known only now
    const handler = (require(join(stateDir, 'build', fn.logicalId, 'index.js')) as Record<string, Handler>)[fn.handler.split('.')[1] ?? 'handler'];
    if (!handler) throw new Error(`${fn.logicalId}'s bundle exports no ${fn.handler}`);
    const event = JSON.parse(readFileSync(join(ROOT, 'events', 'get-order.json'), 'utf8').replaceAll(/ord_[0-9a-f]{32}/g, orderId)) as Record<string, unknown>;
    const context = { awsRequestId: 'bench', functionName: fn.name, functionVersion: '$LATEST', invokedFunctionArn: `arn:aws:lambda:${runtime.info.region}:123456789012:function:${fn.name}`, memoryLimitInMB: String(fn.memoryMb), logGroupName: `/aws/lambda/${fn.name}`, logStreamName: 'bench', getRemainingTimeInMillis: () => 3000 };
    const inThread = async () => {
      const result = await handler({ ...event }, context);
      if (result.statusCode !== 200) throw new Error(`the handler in this thread answered ${String(result.statusCode)}`);
    };
    const quietly = async (work: () => Promise<void>) => {
      // The handler logs as it does in Lambda; here the lines are dropped, so the figure is its CPU without the writes.
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = () => true;
      try {
        await work();
      } finally {
        process.stdout.write = write;
      }
    };
    const repeat = async (count: number, call: () => Promise<void>) => {
      for (let index = 0; index < count; index += 1) await call();
    };
    await repeat(WARM_UP, throughRuntime);
    await quietly(() => repeat(WARM_UP, inThread));

    for (let round = 0; round < rounds; round += 1) {
      progress(`round ${String(round + 1)}`);
      const ticks = environmentTicks(runtime.info.pid);
      await repeat(requests, throughRuntime);
      const environmentMs = ((environmentTicks(runtime.info.pid) - ticks) * 10) / requests;
      const cpu = process.threadCpuUsage();
      await quietly(() => repeat(requests, inThread));
      const used = process.threadCpuUsage(cpu);
      const inThreadMs = (used.user + used.system) / 1000 / requests;
      rows.push([round + 1, environmentMs.toFixed(2), inThreadMs.toFixed(2), (environmentMs - inThreadMs).toFixed(2), `${(environmentMs / inThreadMs).toFixed(2)}×`]);
    }
  } finally {
    holder.driver?.close();
    await runtime.stop();
  }
  console.log(`\n## GET /orders/{id}: CPU per invocation, in an execution environment and in-thread (${String(requests)} requests per round, one at a time)\n`);
  console.log(markdownTable(['round', 'environment ms', 'in-thread ms', 'the environment adds (ms)', 'ratio'], rows));
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
