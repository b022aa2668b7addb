import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createTables } from '../../local/storage/storage';
import { localTemplate } from './template';

/** Table names the tests use for the template's tables (matching tests/support/env.ts). */
export const TABLE_NAMES: Record<string, string> = { OrdersTable: 'orders', SimulatorLedgerTable: 'simulator-ledger', ConnectionsTable: 'connections' };

export interface LocalDynamo {
  endpoint: string;
  documentClient: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** Starts an in-memory dynalite on a free port with the template's tables created. */
export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const tables = localTemplate().tables.map((table) => {
    const name = TABLE_NAMES[table.logicalId];
    if (!name) throw new Error(`No test table name for ${table.logicalId}`);
    return { ...table, name };
  });
  await createTables(client, tables);
  return {
    endpoint,
    documentClient: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}
