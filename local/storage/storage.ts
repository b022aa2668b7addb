import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { LocalBucket, LocalTable } from '../template/local-template';

/** s3rver accepts only this key pair, so the whole runtime uses it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningStore {
  endpoint: string;
  close(): Promise<void>;
}

/** Forks one emulator (store-process.ts) and resolves with its endpoint once it listens. */
async function forkStore(args: string[]): Promise<RunningStore> {
  const child: ChildProcess = fork(join(__dirname, 'store-process.ts'), args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => { resolve(message.port); });
    child.once('exit', (code) => { reject(new Error(`${String(args[0])} exited with code ${String(code)} before it was ready`)); });
  });
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) { resolve(); return; }
        child.once('exit', () => { resolve(); });
        child.kill('SIGTERM');
      }),
  };
}

/** Starts dynalite (LevelDB under `dir`) in a child process and creates the template's tables. */
export async function startDynamoDb(dir: string, port: number, tables: LocalTable[], region: string): Promise<RunningStore> {
  mkdirSync(dir, { recursive: true });
  const store = await forkStore(['dynalite', dir, String(port)]);
  const client = new DynamoDBClient({ endpoint: store.endpoint, region, credentials: LOCAL_CREDENTIALS });
  await createTables(client, tables);
  client.destroy();
  return store;
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
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

/** Starts s3rver (files under `dir`) in a child process, with the template's buckets. */
export async function startS3(dir: string, port: number, buckets: LocalBucket[]): Promise<RunningStore> {
  mkdirSync(dir, { recursive: true });
  return forkStore(['s3rver', dir, String(port), buckets.map((bucket) => bucket.name).join(',')]);
}
