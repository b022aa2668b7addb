import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { RuntimeInfo } from '../local/runtime';
import { completeJsonLines } from '../tests/support/json-lines';
import { runScript, withInProcessRuntime } from './lib/in-process-runtime';

/*
 * `npx tsx bench/stream-latency.ts [writes]`: the local DynamoDB Streams latency from a write to
 * the function's invocation, on the streams fixture (tests/fixtures/streams/): writes one item at
 * a time to its KEYS_ONLY table (a mapping with no batching window) and takes, per record, the
 * time from just before the PutItem to the moment the handler ran. Prints p50/p99/max in ms.
 */
const ROOT = join(__dirname, '..');
const writes = Number(process.argv[2] ?? 200);

async function main(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'stream-latency-out-'));
  try {
    await withInProcessRuntime('stream-latency', (runtime) => measure(runtime.info, outDir), {
      templatePath: join(ROOT, 'tests', 'fixtures', 'streams', 'template.yaml'),
      parameterOverrides: { OutDir: outDir },
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function measure(info: RuntimeInfo, outDir: string): Promise<void> {
  const client = new DynamoDBClient({ region: info.region, credentials: info.credentials, endpoint: info.endpoints.dynamodb });
  const TableName = info.tables.KeysOnlyTable ?? '';
  const sentAt = new Map<string, number>();
  const file = join(outDir, 'keys.jsonl');
  const received = () => completeJsonLines<{ receivedAt: number; dynamodb: { Keys: { sk: { S: string } } } }>(file);
  // One warm-up write, so the first sample is not the environment's cold start.
  await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'warm' }, sk: { S: 'up' } } }));
  const deadline = Date.now() + 30_000;
  while (received().length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (let index = 0; index < writes; index += 1) {
    const sk = String(index);
    sentAt.set(sk, performance.timeOrigin + performance.now());
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'latency' }, sk: { S: sk } } }));
    // One write in flight at a time, spaced, so each sample is one record's own latency.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const end = Date.now() + 60_000;
  while (received().length < writes + 1 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
  const latencies = received()
    .filter((record) => sentAt.has(record.dynamodb.Keys.sk.S))
    .map((record) => record.receivedAt - (sentAt.get(record.dynamodb.Keys.sk.S) ?? 0))
    .sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(1);
  console.log(JSON.stringify({ writes, delivered: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies.at(-1)?.toFixed(1) }));
  client.destroy();
}

runScript(main);
