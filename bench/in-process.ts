import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localFunctionEnvironment } from '../local/lambda/local-environment';
import { type RunningStore, startDynamoDb, startS3 } from '../local/storage/storage';
import { orderRequest } from '../tests/support/orders';
import { localTemplate } from '../tests/support/template';
import { memoryAdapters, sdkAdapters } from './lib/adapters';
import type { BaselineSettings } from './lib/baseline';
import { InProcessPipeline } from './lib/in-process-pipeline';
import { type LevelResult, closedLoop, readLoop } from './lib/load';

/*
 * A baseline of `npm run bench`, in its own process so the handlers' logs and environment stay
 * out of the benchmark's. argv: limit | emulation, then a JSON BaselineSettings (bench/lib/baseline.ts).
 * - limit: the handlers and the ASL on aws-local-stepfunctions with in-memory stores (the engine alone);
 * - emulation: the same, against dynalite and s3rver through the SDK, as in the runtime.
 * The parent (bench/e2e.ts) starts it with the functions' template Environment, as Lambda starts a
 * function; the handlers' modules need nothing more to load.
 */
const [, , mode, settingsJson] = process.argv;
const settings = JSON.parse(settingsJson ?? '{}') as BaselineSettings;
const send = (message: { level: LevelResult } | { ready: true } | { error: string }) =>
  new Promise<void>((resolve) => process.send?.(message, () => { resolve(); }));

async function main(): Promise<void> {
  if (mode !== 'limit' && mode !== 'emulation') throw new Error(`mode must be limit or emulation, got ${String(mode)}`);
  const template = localTemplate();
  const stores: RunningStore[] = [];
  // Only the emulation baseline has stores on disk.
  const dataDir = mode === 'emulation' ? mkdtempSync(join(tmpdir(), 'bench-stores-')) : undefined;
  if (dataDir) {
    const region = 'us-east-1';
    const [dynamodb, s3] = await Promise.all([
      startDynamoDb(join(dataDir, 'dynamodb'), { port: 0, host: '127.0.0.1' }, template.tables, region),
      startS3(join(dataDir, 's3'), { port: 0, host: '127.0.0.1' }, template.buckets),
    ]);
    stores.push(dynamodb, s3);
    // The SDK adapters are built from the environment, as the deployed handlers build them; only the endpoints are new here.
    Object.assign(process.env, localFunctionEnvironment({ dynamodb: dynamodb.endpoint, s3: s3.endpoint, sfn: '', lambda: '', eventbridge: '', sqs: '', dynamodbstreams: '' }, region));
  }
  const adapters = mode === 'limit' ? memoryAdapters() : sdkAdapters();
  const [definition] = template.stateMachines;
  if (!definition) throw new Error('template.yaml has no state machine');
  const pipeline = new InProcessPipeline(adapters, definition.definition, settings.maxRunning);
  const body = JSON.stringify(orderRequest({ customerId: `bench-${mode}` }));
  const driver = {
    place: async () => {
      const response = await pipeline.placeOrder(body);
      if (response.statusCode !== 202) throw new Error(`POST answered ${String(response.statusCode)}: ${response.body}`);
      return (JSON.parse(response.body) as { orderId: string }).orderId;
    },
    completion: (orderId: string) => pipeline.completion(orderId),
  };
  // The warm-ups the runtime gets: first calls pay for module caches and connections, and V8 optimises hot code later.
  await closedLoop(`${mode} warm-up`, driver, 4, settings.warmUpSeconds);
  const runLevel = async (concurrency: number): Promise<LevelResult> => {
    await closedLoop(`${mode} level warm-up`, driver, concurrency, settings.levelWarmUpSeconds);
    const level = await closedLoop(mode, driver, concurrency, settings.seconds);
    const orderId = await driver.place();
    await driver.completion(orderId);
    const read = async () => {
      const response = await pipeline.readOrder(orderId);
      if (response.statusCode !== 200) throw new Error(`GET answered ${String(response.statusCode)}`);
    };
    // bench:profile -- --baseline measures orders alone.
    if (settings.getSeconds === 0) return level;
    await readLoop(read, concurrency, 1);
    level.get = await readLoop(read, concurrency, settings.getSeconds);
    return level;
  };
  // The parent interleaves levels across the runtime and both baselines, so drift in the machine's load hits all three alike.
  // Listening before saying ready: a message that arrives with no listener is lost.
  const stopped = new Promise<void>((resolve, reject) => {
    process.on('message', (message: { run?: number; stop?: true }) => {
      if (message.stop) resolve();
      else if (typeof message.run === 'number') runLevel(message.run).then((level) => send({ level }), reject);
    });
  });
  await send({ ready: true });
  await stopped;
  await Promise.all(stores.map((store) => store.close()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
