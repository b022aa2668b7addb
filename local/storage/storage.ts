import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { connectHost, httpUrl } from '../host-access';
import { StreamLog, type StreamDefinition, type StreamRecord } from '../streams/stream-log';
import type { LocalBucket, LocalTable } from '../template/local-template';

/**
 * The key pair the runtime hands its functions and its own clients. Every local endpoint accepts
 * any well-formed key; this one is s3rver's built-in pair. A new object per call: SDK clients
 * mutate the credentials object they are given (they add a `$source` field), so a shared one
 * would carry SDK internals into runtime.json.
 */
export function localCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
}

export interface RunningStore {
  /** How this machine reaches the store. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** What dynalite's process needs for its streams front (store-process.ts), as JSON on its command line. */
export interface StreamsFrontConfig {
  streamsDir: string;
  region: string;
  /** Every table (transactions need the keys of all); those with a stream carry its definition. */
  tables: { tableName: string; keyNames: string[]; stream?: StreamDefinition }[];
}

/** DynamoDB with streams: the runtime's copy of each stream (by stream ARN), fed by dynalite's process. */
export interface RunningDynamoDb extends RunningStore {
  logs: Map<string, StreamLog>;
  /** Records appended at start-up for writes the last stop cut off from their record. */
  repaired: number;
}

type StoreMessage = { port: number } | { repaired: number } | { recoverError: string } | { stream: string; record: StreamRecord; bytes: number };

/** Where a store listens: port 0 picks a free one. */
export interface StoreAddress {
  port: number;
  host: string;
}

/**
 * The V8 flag the runtime's processes run with (npm start passes it to the main process too, in
 * package.json). Node's default young generation (16 MB semi-spaces) stays committed once start-up
 * has grown it; 4 MB semi-spaces took the idle process tree from 411 MB to 336 MB (main 205 to
 * 138 MB, each store about 100 MB), measured 3 s after start, as the reliability suite measures it.
 */
export const RUNTIME_NODE_FLAG = '--max-semi-space-size=4';

/** How a store's process runs, beyond where it listens. */
export interface StoreOptions {
  /** `npm start -- --cpu-prof`: the store's process writes `<kind>.cpuprofile` here when it stops. */
  cpuProfileDir?: string;
}

/** Forks one emulator (store-process.ts) and resolves with its endpoint once it listens. */
async function forkStore(kind: 'dynalite' | 's3rver', dir: string, address: StoreAddress, options: StoreOptions, extra: string[] = [], onMessage?: (message: StoreMessage) => void): Promise<RunningStore & { child: ChildProcess }> {
  const args = [kind, dir, String(address.port), address.host, ...extra];
  // Node writes the profile as the process exits, which a store does on close (its shutdown ends in process.exit).
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${kind}.cpuprofile`] : [];
  const child: ChildProcess = fork(join(__dirname, 'store-process.ts'), args, {
    execArgv: [RUNTIME_NODE_FLAG, ...profiling, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (onMessage) child.on('message', onMessage);
  const port = await new Promise<number>((resolve, reject) => {
    const ready = (message: StoreMessage) => {
      if (!('port' in message)) return;
      child.off('message', ready);
      resolve(message.port);
    };
    child.on('message', ready);
    child.once('exit', (code) => { reject(new Error(`${String(args[0])} exited with code ${String(code)} before it was ready`)); });
  });
  return {
    child,
    endpoint: httpUrl(connectHost(address.host), port),
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) { resolve(); return; }
        child.once('exit', () => { resolve(); });
        child.kill('SIGTERM');
      }),
  };
}

/** Starts dynalite (LevelDB under `dir`) in a child process and creates the template's tables. */
export async function startDynamoDb(dir: string, address: StoreAddress, tables: LocalTable[], region: string): Promise<RunningStore> {
  mkdirSync(dir, { recursive: true });
  const store = await forkStore('dynalite', dir, address, {});
  await createTablesAt(store.endpoint, region, tables);
  return store;
}

/**
 * Starts dynalite (LevelDB under `dir`) with the streams front in its process (local/streams),
 * creates the template's tables, and repairs the records of writes the last stop interrupted.
 * The runtime's copy of each stream loads its file first, then takes every record the front
 * appends from the child's messages.
 */
export async function startDynamoDbWithStreams(dir: string, address: StoreAddress, tables: LocalTable[], region: string, streamsDir: string, options: StoreOptions = {}): Promise<RunningDynamoDb> {
  mkdirSync(dir, { recursive: true });
  const config: StreamsFrontConfig = {
    streamsDir,
    region,
    tables: tables.map((table) => ({
      tableName: table.name,
      keyNames: table.keySchema.map((key) => key.AttributeName),
      ...(table.stream ? { stream: { tableName: table.name, streamArn: table.stream.arn, viewType: table.stream.viewType } } : {}),
    })),
  };
  const logs = new Map(config.tables.flatMap((table) => (table.stream ? [[table.stream.streamArn, new StreamLog(table.stream, streamsDir)] as const] : [])));
  let recovered: ((message: StoreMessage) => void) | undefined;
  const { child, ...store } = await forkStore('dynalite', dir, address, options, [JSON.stringify(config)], (message) => {
    if ('stream' in message) logs.get(message.stream)?.ingest(message.record, message.bytes);
    else recovered?.(message);
  });
  try {
    await createTablesAt(store.endpoint, region, tables);
    const repaired = await new Promise<number>((resolve, reject) => {
      const exited = (code: number | null) => { reject(new Error(`dynalite exited with code ${String(code)} while repairing its stream records`)); };
      child.once('exit', exited);
      recovered = (message) => {
        if ('repaired' in message) resolve(message.repaired);
        if ('recoverError' in message) reject(new Error(`repairing the DynamoDB stream records of interrupted writes: ${message.recoverError}`));
        child.off('exit', exited);
      };
      child.send({ recover: true });
    });
    return { ...store, logs, repaired };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function createTablesAt(endpoint: string, region: string, tables: LocalTable[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: localCredentials() });
  try {
    await createTables(client, tables);
  } finally {
    client.destroy();
  }
}

/** Creates the template's tables (on demand), leaving any that already exist. */
export async function createTables(client: DynamoDBClient, tables: LocalTable[]): Promise<void> {
  for (const table of tables) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table.name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: table.keySchema.map((key) => ({ AttributeName: key.AttributeName, KeyType: key.KeyType === 'RANGE' ? 'RANGE' : 'HASH' })),
          AttributeDefinitions: table.attributeDefinitions.map((attribute) => ({
            AttributeName: attribute.AttributeName,
            AttributeType: attribute.AttributeType === 'N' ? 'N' : attribute.AttributeType === 'B' ? 'B' : 'S',
          })),
          ...(table.globalSecondaryIndexes
            ? {
                GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
                  IndexName: index.IndexName,
                  KeySchema: index.KeySchema.map((key) => ({ AttributeName: key.AttributeName, KeyType: key.KeyType === 'RANGE' ? 'RANGE' : 'HASH' })),
                  Projection: {
                    ProjectionType: index.Projection.ProjectionType === 'KEYS_ONLY' ? 'KEYS_ONLY' : index.Projection.ProjectionType === 'INCLUDE' ? 'INCLUDE' : 'ALL',
                    ...(index.Projection.NonKeyAttributes ? { NonKeyAttributes: index.Projection.NonKeyAttributes } : {}),
                  },
                })),
              }
            : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

/** Starts s3rver (files under `dir`) in a child process, with the template's buckets. */
export async function startS3(dir: string, address: StoreAddress, buckets: LocalBucket[], options: StoreOptions = {}): Promise<RunningStore> {
  mkdirSync(dir, { recursive: true });
  return forkStore('s3rver', dir, address, options, [buckets.map((bucket) => bucket.name).join(',')]);
}
