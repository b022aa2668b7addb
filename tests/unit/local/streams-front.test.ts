import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionalCheckFailedException, CreateTableCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type DynamoTarget, StreamCaptureProxy } from '../../../local/streams/capture-proxy';
import { inProcessTarget } from '../../../local/streams/in-process-target';
import { StreamLogWriter } from '../../../local/streams/stream-log';
import type { RequestListener } from '../../../local/storage/store-gate';

/*
 * The streams front in dynalite's process (local/streams): dynalite's handler called in memory, and
 * a write's before-image taken from the image the previous write through the front left, so that
 * only an item's first write (and any write whose outcome was unknown) reads it first.
 */
const TABLE = 'orders';
const definition = { tableName: TABLE, streamArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}/stream/x`, viewType: 'NEW_AND_OLD_IMAGES' as const };
const key = { id: { S: 'o-1' } };

async function startFront() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [handler] = server.listeners('request') as RequestListener[];
  if (!handler) throw new Error('dynalite has no request handler');
  const operations: string[] = [];
  const inner = inProcessTarget(handler);
  const counting: DynamoTarget = (method, path, headers, payload) => {
    operations.push(String(headers['x-amz-target']).split('.')[1] ?? '');
    return inner(method, path, headers, payload);
  };
  const log = new StreamLogWriter(definition, mkdtempSync(join(tmpdir(), 'streams-front-')), 'us-east-1');
  const front = new StreamCaptureProxy([{ tableName: TABLE, keyNames: ['id'], log }], counting);
  const port = await front.start(0, '127.0.0.1');
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${String(port)}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const createTable = () => client.send(new CreateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
  await createTable();
  const update = (status: string, expected?: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET #s = :s',
        ...(expected ? { ConditionExpression: '#s = :e' } : {}),
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: status }, ...(expected ? { ':e': { S: expected } } : {}) },
      }),
    );
  const reads = () => operations.filter((operation) => operation === 'GetItem').length;
  const statuses = () => log.read(0, 100).map((record) => [(record.dynamodb.OldImage?.status as { S: string } | undefined)?.S ?? null, (record.dynamodb.NewImage?.status as { S: string } | undefined)?.S ?? null]);
  return {
    client,
    createTable,
    update,
    reads,
    statuses,
    close: async () => {
      client.destroy();
      await front.close();
    },
  };
}

describe("the streams front in dynalite's process", () => {
  it("reads an item before its first write only, and every record's OldImage is the item before that write", async () => {
    const front = await startFront();
    try {
      await front.client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key, status: { S: 'RECEIVED' } } }));
      // A Put reads before (the item is unknown) and after (dynalite normalises what it stores).
      expect(front.reads()).toBe(2);
      await front.update('AUTHORIZED', 'RECEIVED');
      await front.update('SHIPPED', 'AUTHORIZED');
      // A refused conditional write changes nothing, and the next write still knows the item.
      await expect(front.update('COMPLETED', 'RECEIVED')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
      await front.update('CAPTURED', 'SHIPPED');
      expect(front.reads()).toBe(2);
      expect(front.statuses()).toEqual([
        [null, 'RECEIVED'],
        ['RECEIVED', 'AUTHORIZED'],
        ['AUTHORIZED', 'SHIPPED'],
        ['SHIPPED', 'CAPTURED'],
      ]);
    } finally {
      await front.close();
    }
  });

  it('forgets what it knew when a table is deleted and created again', async () => {
    const front = await startFront();
    try {
      await front.client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key, status: { S: 'RECEIVED' } } }));
      await front.client.send(new DeleteTableCommand({ TableName: TABLE }));
      await front.createTable();
      const before = front.reads();
      await front.update('AUTHORIZED');
      // The item is read again: the new table does not hold it, so the update inserts it.
      expect(front.reads()).toBe(before + 1);
      expect(front.statuses().at(-1)).toEqual([null, 'AUTHORIZED']);
    } finally {
      await front.close();
    }
  });
});
