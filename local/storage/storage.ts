import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import S3rver from 's3rver';
import type { LocalBucket, LocalTable } from '../template/local-template';

/** s3rver accepts only this key pair, so the whole runtime uses it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningStore {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite (LevelDB under `dir`) in a child process and creates the template's tables. */
export async function startDynamoDb(dir: string, port: number, tables: LocalTable[], region: string): Promise<RunningStore> {
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = fork(join(__dirname, 'dynalite-process.ts'), [dir, String(port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const actualPort = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => { resolve(message.port); });
    child.once('exit', (code) => { reject(new Error(`dynalite exited with code ${String(code)} before it was ready`)); });
  });
  const endpoint = `http://127.0.0.1:${String(actualPort)}`;
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  await createTables(client, tables);
  client.destroy();
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) { resolve(); return; }
        child.once('exit', () => { resolve(); });
        child.kill('SIGTERM');
      }),
  };
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

/** Starts s3rver with files under `dir` and the template's buckets. */
export async function startS3(dir: string, port: number, buckets: LocalBucket[]): Promise<RunningStore> {
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((bucket) => ({ name: bucket.name, configs: [] })),
  });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${String(address.port)}`, close: () => server.close() };
}
