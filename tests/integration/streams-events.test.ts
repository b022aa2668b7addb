import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  BatchWriteItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, ListReplaysCommand, PutEventsCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { type RunningRuntime, loadConfig, startRuntime } from '../../local/runtime';
import { completeJsonLines } from '../support/json-lines';
import { ROOT } from '../support/template';

/*
 * The local runtime's DynamoDB Streams, event source mappings, EventBridge and SQS, driven through
 * the real AWS SDK clients against a fixture template (tests/fixtures/streams/) whose handlers
 * write what they receive to files. Every wait has a deadline.
 */
jest.setTimeout(120_000);

const TEMPLATE = join(ROOT, 'tests', 'fixtures', 'streams', 'template.yaml');
const stateDir = mkdtempSync(join(tmpdir(), 'streams-state-'));
const outDir = mkdtempSync(join(tmpdir(), 'streams-out-'));
const lines: string[] = [];
let runtime: RunningRuntime;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let events: EventBridgeClient;

async function start(): Promise<void> {
  const config = loadConfig(join(ROOT, 'local', 'config.json'));
  config.ports = { api: 0, lambda: 0, stepfunctions: 0, dynamodb: 0, s3: 0, console: 0, eventbridge: 0, sqs: 0, dynamodbstreams: 0, websocket: 0, secretsmanager: 0 };
  runtime = await startRuntime({ rootDir: ROOT, templatePath: TEMPLATE, stateDir, fresh: false, config, parameterOverrides: { OutDir: outDir }, log: (line) => lines.push(line) });
  const { info } = runtime;
  const common = { region: info.region, credentials: info.credentials };
  dynamodb = new DynamoDBClient({ ...common, endpoint: info.endpoints.dynamodb });
  sqs = new SQSClient({ ...common, endpoint: info.endpoints.sqs });
  events = new EventBridgeClient({ ...common, endpoint: info.endpoints.eventbridge });
}

async function stop(): Promise<void> {
  dynamodb.destroy();
  sqs.destroy();
  events.destroy();
  await runtime.stop();
}

beforeAll(start);
afterAll(async () => {
  await stop();
  for (const dir of [stateDir, outDir]) rmSync(dir, { recursive: true, force: true });
});

function readLines<T>(file: string): T[] {
  return completeJsonLines<T>(join(outDir, file));
}

/** Polls until `check` returns a value (not undefined), failing with `what` after the deadline. */
async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadlineMs = 30_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const delivered = () => readLines<DynamoDBRecord>('delivered.jsonl');
const invocations = () => readLines<string[]>('invocations.jsonl');
const idOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.id?.S;
const tableName = () => runtime.info.tables.ItemsTable ?? '';
const put = (id: string, extra: Record<string, { S: string }> = {}) => ({ Put: { TableName: tableName(), Item: { id: { S: id }, ...extra } } });

/** The records delivered for ids starting with `prefix`, once there are `count` of them. */
function deliveredFor(prefix: string, count: number): Promise<DynamoDBRecord[]> {
  return waitFor(`${String(count)} delivered records for ${prefix}`, () => {
    const records = delivered().filter((record) => idOf(record)?.startsWith(prefix));
    return records.length >= count ? records : undefined;
  });
}

describe('DynamoDB Streams from dynalite writes', () => {
  it('records each successful write in per-item order with both images, and nothing for a failed conditional write or a write that changes nothing', async () => {
    const TableName = tableName();
    await dynamodb.send(new PutItemCommand({ TableName, Item: { id: { S: 'a1' }, v: { N: '1' } }, ConditionExpression: 'attribute_not_exists(id)' }));
    await expect(dynamodb.send(new PutItemCommand({ TableName, Item: { id: { S: 'a1' }, v: { N: '9' } }, ConditionExpression: 'attribute_not_exists(id)' }))).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const updated = await dynamodb.send(new UpdateItemCommand({ TableName, Key: { id: { S: 'a1' } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '2' } }, ConditionExpression: 'attribute_exists(id)' }));
    // The front asks dynalite for the item after the update (its record's NewImage); the caller, who asked for nothing, gets nothing back.
    expect(updated.Attributes).toBeUndefined();
    // Identical to what is stored: DynamoDB writes no stream record.
    await dynamodb.send(new PutItemCommand({ TableName, Item: { id: { S: 'a1' }, v: { N: '2' } } }));
    await dynamodb.send(new DeleteItemCommand({ TableName, Key: { id: { S: 'a1' } } }));
    await dynamodb.send(new DeleteItemCommand({ TableName, Key: { id: { S: 'a-absent' } } }));
    await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [put('a2'), put('a3')] }));
    // dynalite has no transactions: the runtime's DynamoDB front answers them, all or nothing.
    await expect(dynamodb.send(new TransactWriteItemsCommand({
      TransactItems: [put('a4'), { ConditionCheck: { TableName, Key: { id: { S: 'a-absent' } }, ConditionExpression: 'attribute_exists(id)' } }],
    }))).rejects.toMatchObject({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] });
    expect((await dynamodb.send(new GetItemCommand({ TableName, Key: { id: { S: 'a4' } }, ConsistentRead: true }))).Item).toBeUndefined();
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: [{ PutRequest: { Item: { id: { S: 'a5' } } } }, { DeleteRequest: { Key: { id: { S: 'a2' } } } }] } }));

    const records = await deliveredFor('a', 7);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const all = delivered().filter((record) => idOf(record)?.startsWith('a'));
    expect(all.map((record) => [idOf(record), record.eventName])).toEqual([
      ['a1', 'INSERT'], ['a1', 'MODIFY'], ['a1', 'REMOVE'], ['a2', 'INSERT'], ['a3', 'INSERT'], ['a5', 'INSERT'], ['a2', 'REMOVE'],
    ]);
    const [insert, modify, remove] = records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    expect(insert).toMatchObject({ eventSource: 'aws:dynamodb', eventVersion: '1.1', awsRegion: 'us-east-1', eventSourceARN: runtime.info.streams.ItemsTable });
    expect(insert.dynamodb).toMatchObject({ Keys: { id: { S: 'a1' } }, NewImage: { id: { S: 'a1' }, v: { N: '1' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(insert.dynamodb?.OldImage).toBeUndefined();
    expect(modify.dynamodb).toMatchObject({ OldImage: { v: { N: '1' } }, NewImage: { v: { N: '2' } } });
    expect(remove.dynamodb).toMatchObject({ OldImage: { v: { N: '2' } } });
    expect(remove.dynamodb?.NewImage).toBeUndefined();
    const sequences = all.map((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0'));
    expect([...sequences].sort((x, y) => (x < y ? -1 : 1))).toEqual(sequences);
    for (const record of all) {
      expect(record.dynamodb?.SizeBytes).toBeGreaterThan(0);
      expect(Math.abs((record.dynamodb?.ApproximateCreationDateTime ?? 0) - Date.now() / 1000)).toBeLessThan(120);
    }
    expect(runtime.info.streams.ItemsTable).toBe(`arn:aws:dynamodb:us-east-1:000000000000:table/${TableName}/stream/1970-01-01T00:00:00.000`);
  });

  it('keeps concurrent writes to one item in the order they took effect, each record chaining old image to new', async () => {
    const TableName = tableName();
    await Promise.all(Array.from({ length: 20 }, () =>
      dynamodb.send(new UpdateItemCommand({ TableName, Key: { id: { S: 'g1' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }))));
    const records = await deliveredFor('g1', 20);
    expect(records.map((record) => [record.dynamodb?.OldImage?.n?.N, record.dynamodb?.NewImage?.n?.N])).toEqual(
      Array.from({ length: 20 }, (_, index) => [index === 0 ? undefined : String(index), String(index + 1)]),
    );
  });

  it('gives a KEYS_ONLY stream the keys alone, from LATEST', async () => {
    const TableName = runtime.info.tables.KeysOnlyTable ?? '';
    await dynamodb.send(new PutItemCommand({ TableName, Item: { pk: { S: 'k' }, sk: { S: '1' }, secret: { S: 'not in the record' } } }));
    const [record] = await waitFor('a KEYS_ONLY record', () => {
      const records = readLines<DynamoDBRecord>('keys.jsonl');
      return records.length > 0 ? records : undefined;
    });
    expect(record?.dynamodb).toMatchObject({ Keys: { pk: { S: 'k' }, sk: { S: '1' } }, StreamViewType: 'KEYS_ONLY' });
    expect(JSON.stringify(record)).not.toContain('not in the record');
  });
});

describe('event source mapping', () => {
  it('fills a batch up to BatchSize at once, and sends a smaller one when the batching window closes', async () => {
    await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((id) => put(id)) }));
    const records = await deliveredFor('b', 6);
    const sequences = records.map((record) => record.dynamodb?.SequenceNumber);
    const batches = invocations().filter((batch) => batch.some((sequence) => sequences.includes(sequence)));
    expect(batches).toEqual([sequences.slice(0, 4), sequences.slice(4)]);
  });

  it('retries from the first record the function reports failed (ReportBatchItemFailures)', async () => {
    await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [put('c1'), put('c2', { mode: { S: 'fail-once' } }), put('c3')] }));
    const records = await deliveredFor('c', 3);
    expect(records.map(idOf)).toEqual(['c1', 'c2', 'c3']);
    const [c1, c2, c3] = records.map((record) => record.dynamodb?.SequenceNumber);
    const batches = invocations().filter((batch) => batch.includes(c2 ?? ""));
    expect(batches).toEqual([[c1, c2, c3], [c2, c3]]);
  });

  it('bisects a failing batch down to the poison record, retries it MaximumRetryAttempts times, then sends its batch info to the on-failure queue', async () => {
    await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [put('d1'), put('d2'), put('d3', { mode: { S: 'poison' } }), put('d4')] }));
    const records = await deliveredFor('d', 3);
    expect(records.map(idOf)).toEqual(['d1', 'd2', 'd4']);
    const queueUrl = runtime.info.queues.FailureQueue ?? '';
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }));
    expect(received.Messages).toHaveLength(1);
    const failure = JSON.parse(received.Messages?.[0]?.Body ?? '{}') as { requestContext: Record<string, unknown>; DDBStreamBatchInfo: Record<string, unknown>; responseContext: Record<string, unknown> };
    const allD = invocations().filter((batch) => batch.length > 0);
    const poisonSequence = (await waitFor('the poison sequence', () => {
      const d3 = allD.find((batch) => batch.length === 1 && !records.some((record) => record.dynamodb?.SequenceNumber === batch[0]));
      return d3?.[0];
    }));
    expect(failure.DDBStreamBatchInfo).toMatchObject({ startSequenceNumber: poisonSequence, endSequenceNumber: poisonSequence, batchSize: 1, streamArn: runtime.info.streams.ItemsTable });
    expect(failure.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 });
    expect(failure.responseContext).toMatchObject({ functionError: 'Unhandled' });
    // The poison record was invoked alone twice (the first try and one retry), never delivered.
    expect(invocations().filter((batch) => batch.length === 1 && batch[0] === poisonSequence)).toHaveLength(2);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: received.Messages?.[0]?.ReceiptHandle }));
  });

  it('redelivers a batch whose invocation crashed the runtime (Runtime.ExitError)', async () => {
    await dynamodb.send(new PutItemCommand({ TableName: tableName(), Item: { id: { S: 'e1' }, mode: { S: 'crash-once' } } }));
    const [record] = await deliveredFor('e', 1);
    const sequence = record?.dynamodb?.SequenceNumber;
    expect(invocations().filter((batch) => batch.includes(sequence ?? ''))).toHaveLength(2);
    expect(lines.some((line) => /Function: ConsumerFunction.*Runtime\.ExitError/.test(line))).toBe(true);
  });

  it('resumes from its checkpoint after a restart: nothing delivered twice, nothing lost', async () => {
    await dynamodb.send(new PutItemCommand({ TableName: tableName(), Item: { id: { S: 'f1' } } }));
    await deliveredFor('f', 1);
    // Let any batch in flight finish, then count what was delivered before the restart.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = delivered().length;
    await stop();
    await start();
    await dynamodb.send(new PutItemCommand({ TableName: tableName(), Item: { id: { S: 'f2' } } }));
    await deliveredFor('f2', 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = delivered();
    expect(after.length).toBe(before + 1);
    expect(idOf(after.at(-1) as DynamoDBRecord)).toBe('f2');
    const sequences = after.map((record) => record.dynamodb?.SequenceNumber);
    expect(new Set(sequences).size).toBe(sequences.length);
  });
});

describe('EventBridge and SQS', () => {
  it('validates PutEvents as EventBridge does: per entry, and at most 10 entries', async () => {
    const bus = 'fixture-bus';
    const result = await events.send(new PutEventsCommand({
      Entries: [
        { EventBusName: bus, Source: 'fixture', DetailType: 'OrderPlaced', Detail: JSON.stringify({ total: 1 }) },
        { EventBusName: bus, Source: 'fixture', Detail: '{}' },
        { EventBusName: bus, Source: 'fixture', DetailType: 'X', Detail: '[1]' },
        { EventBusName: 'no-such-bus', Source: 'fixture', DetailType: 'X', Detail: '{}' },
        { EventBusName: bus, Source: 'fixture', DetailType: 'X', Detail: '{not json' },
      ],
    }));
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries?.slice(1).map((entry) => entry.ErrorCode)).toEqual(['InvalidArgument', 'MalformedDetail', 'ResourceNotFoundException', 'MalformedDetail']);
    expect(result.Entries?.[1]?.ErrorMessage).toContain('DetailType');
    const eleven = Array.from({ length: 11 }, () => ({ EventBusName: bus, Source: 'fixture', DetailType: 'X', Detail: '{}' }));
    await expect(events.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({ name: 'ValidationException' });
    const big = { EventBusName: bus, Source: 'fixture', DetailType: 'X', Detail: JSON.stringify({ pad: 'x'.repeat(200 * 1024) }) };
    await expect(events.send(new PutEventsCommand({ Entries: [big, big] }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('delivers matching events to a Lambda target (the EventBridge envelope) and an SQS target, archives them, and lists them at /_local/events', async () => {
    const bus = 'fixture-bus';
    const put = await events.send(new PutEventsCommand({
      Entries: [
        { EventBusName: bus, Source: 'fixture', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-1', total: 1250 }) },
        { EventBusName: bus, Source: 'fixture', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-2', total: 0 }) },
        { EventBusName: runtime.info.eventBuses.includes(bus) ? `arn:aws:events:us-east-1:000000000000:event-bus/${bus}` : bus, Source: 'fixture', DetailType: 'OrderFailed', Detail: JSON.stringify({ orderId: 'o-3', code: 'CompensationFailed' }) },
        { EventBusName: bus, Source: 'fixture', DetailType: 'OrderFailed', Detail: JSON.stringify({ orderId: 'o-4', code: 'PaymentDeclined' }) },
      ],
    }));
    expect(put.FailedEntryCount).toBe(0);
    const placed = await waitFor('the listener to get o-1', () => readLines<{ detail: { orderId: string } }>('events.jsonl').find((event) => event.detail.orderId === 'o-1'));
    expect(placed).toMatchObject({ version: '0', 'detail-type': 'OrderPlaced', source: 'fixture', account: '000000000000', region: 'us-east-1', resources: [], detail: { orderId: 'o-1', total: 1250 } });
    expect((placed as unknown as { time: string }).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: runtime.info.queues.EventsQueue, WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.map((message) => (JSON.parse(message.Body ?? '{}') as { detail: { orderId: string } }).detail.orderId)).toEqual(['o-3']);
    // total 0 fails `numeric > 0`; PaymentDeclined fails `prefix Compensation`.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readLines<{ detail: { orderId?: string } }>('events.jsonl').flatMap((event) => (event.detail.orderId ? [event.detail.orderId] : []))).toEqual(['o-1']);
    const archived = readFileSync(join(stateDir, 'data', 'eventbridge', 'archives', 'BusArchive.jsonl'), 'utf8');
    for (const id of ['o-1', 'o-2', 'o-3', 'o-4']) expect(archived).toContain(`"orderId":"${id}"`);
    const listed = (await (await fetch(runtime.info.eventsUrl)).json()) as { events: { bus: string; event: { id: string }; rules: string[] }[] };
    const mine = listed.events.filter((seen) => put.Entries?.some((entry) => entry.EventId === seen.event.id));
    expect(mine.map((seen) => seen.rules)).toEqual([
      ['NotEmulatedTarget', 'ListenerFunction.Placed'], ['NotEmulatedTarget'], ['OrderFailedToQueue', 'NotEmulatedTarget'], ['NotEmulatedTarget'],
    ]);
    expect(lines.some((line) => line.includes('not emulated: NotEmulatedTarget (AWS::Events::Rule) Targets[0].Arn: only Lambda and SQS targets run locally'))).toBe(true);
  });

  it('replays the archive onto its bus: only the filtered rules see the events, marked with replay-name, and they are not archived again', async () => {
    const archivePath = join(stateDir, 'data', 'eventbridge', 'archives', 'BusArchive.jsonl');
    const archivedBefore = readFileSync(archivePath, 'utf8');
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: 'BusArchive' }));
    expect(archive).toMatchObject({ ArchiveArn: 'arn:aws:events:us-east-1:000000000000:archive/BusArchive', EventSourceArn: 'arn:aws:events:us-east-1:000000000000:event-bus/fixture-bus', State: 'ENABLED', RetentionDays: 1 });
    expect(archive.EventCount).toBe(archivedBefore.split('\n').filter(Boolean).length);
    const window = { EventSourceArn: archive.ArchiveArn, EventStartTime: new Date(Date.now() - 3_600_000), EventEndTime: new Date() };
    const listenerRule = 'arn:aws:events:us-east-1:000000000000:rule/fixture-bus/ListenerFunction.Placed';
    const started = await events.send(new StartReplayCommand({ ReplayName: 'listener-repair', ...window, Destination: { Arn: archive.EventSourceArn, FilterArns: [listenerRule] } }));
    expect(started.State).toBe('STARTING');
    await waitFor('the replay to complete', async () => (await events.send(new DescribeReplayCommand({ ReplayName: 'listener-repair' }))).State === 'COMPLETED' || undefined);
    const replayed = await waitFor('the listener to get o-1 again', () => {
      const again = readLines<{ detail: { orderId?: string }; 'replay-name'?: string }>('events.jsonl').filter((event) => event['replay-name'] === 'listener-repair');
      return again.some((event) => event.detail.orderId === 'o-1') ? again : undefined;
    });
    // Of the orders above, the listener's rule matches o-1 alone (an earlier test's events have no order id).
    expect(replayed.flatMap((event) => (event.detail.orderId ? [event.detail.orderId] : []))).toEqual(['o-1']);
    // The SQS rule matched o-3 the first time; it is not in FilterArns, so nothing reaches the queue now.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: runtime.info.queues.EventsQueue, WaitTimeSeconds: 1 }))).Messages).toBeUndefined();
    expect(readFileSync(archivePath, 'utf8')).toBe(archivedBefore);
    await expect(events.send(new StartReplayCommand({ ReplayName: 'listener-repair', ...window, Destination: { Arn: archive.EventSourceArn } }))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await expect(events.send(new StartReplayCommand({ ReplayName: 'elsewhere', ...window, Destination: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' } }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Cross event bus replay is not permitted') as unknown });
    await expect(events.send(new StartReplayCommand({ ReplayName: 'backwards', ...window, EventStartTime: window.EventEndTime, EventEndTime: window.EventStartTime, Destination: { Arn: archive.EventSourceArn } }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(events.send(new DescribeReplayCommand({ ReplayName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await events.send(new ListReplaysCommand({ NamePrefix: 'listener-' }))).Replays?.map((replay) => [replay.ReplayName, replay.State])).toEqual([['listener-repair', 'COMPLETED']]);
  });

  it('serves SQS to the SDK: send, receive with the visibility timeout, delete, attributes', async () => {
    const QueueUrl = runtime.info.queues.FailureQueue ?? '';
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    expect(sent.MessageId).toBeDefined();
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(first.Messages?.[0]).toMatchObject({ Body: 'hello', Attributes: { ApproximateReceiveCount: '1' } });
    // In flight: a second receive does not get it.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(attributes.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
    expect(after.Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: '0' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${QueueUrl}-missing`, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('runs a Type: SQS event source: handled messages are deleted, a reported failure comes back and then goes to the RedrivePolicy DLQ', async () => {
    const QueueUrl = runtime.info.queues.WorkQueue ?? '';
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'ok-1' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'fail-1' }));
    const handled = await waitFor('ok-1 handled', () => readLines<{ body: string; eventSource: string; eventSourceARN: string; attributes: { ApproximateReceiveCount: string } }>('sqs.jsonl').find((record) => record.body === 'ok-1'));
    expect(handled).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:local-WorkQueue', attributes: { ApproximateReceiveCount: '1' } });
    // fail-1 is received twice (maxReceiveCount 2, 2 s visibility timeout), then moved to the DLQ.
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: runtime.info.queues.WorkDeadLetterQueue, WaitTimeSeconds: 20 }));
    expect(dead.Messages?.map((message) => message.Body)).toEqual(['fail-1']);
    expect(readLines<{ body: string }>('sqs.jsonl').map((record) => record.body)).toEqual(['ok-1']);
    const work = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(work.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('refuses unsigned requests on the EventBridge and SQS endpoints', async () => {
    for (const url of [runtime.info.endpoints.eventbridge, runtime.info.endpoints.sqs]) {
      const response = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' } });
      expect(response.status).toBe(403);
    }
  });

  const python = '/work/samvenv/bin/python';
  (existsSync(python) ? it : it.skip)('serves boto3 too (SQS send/receive, EventBridge put_events, DynamoDB Streams get_records)', async () => {
    const { info } = runtime;
    const script = `
import boto3, json, sys
kw = dict(region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='y')
sqs = boto3.client('sqs', endpoint_url=sys.argv[1], **kw)
sqs.send_message(QueueUrl=sys.argv[3], MessageBody='from boto3')
got = sqs.receive_message(QueueUrl=sys.argv[3], WaitTimeSeconds=5)['Messages'][0]
sqs.delete_message(QueueUrl=sys.argv[3], ReceiptHandle=got['ReceiptHandle'])
ev = boto3.client('events', endpoint_url=sys.argv[2], **kw)
out = ev.put_events(Entries=[{'EventBusName': 'fixture-bus', 'Source': 'fixture', 'DetailType': 'Boto', 'Detail': '{}'}])
streams = boto3.client('dynamodbstreams', endpoint_url=sys.argv[4], **kw)
arn = streams.list_streams(TableName=sys.argv[5])['Streams'][0]['StreamArn']
shard = streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards'][0]['ShardId']
iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType='TRIM_HORIZON')['ShardIterator']
first = streams.get_records(ShardIterator=iterator, Limit=2)['Records']
print(json.dumps({'body': got['Body'], 'failed': out['FailedEntryCount'], 'arn': arn, 'first': [[r['eventName'], r['dynamodb']['Keys']['id']['S']] for r in first]}))
`;
    // Asynchronously: the runtime serving boto3 runs in this process.
    const { stdout } = await promisify(execFile)(python, ['-c', script, info.endpoints.sqs, info.endpoints.eventbridge, info.queues.FailureQueue ?? '', info.endpoints.dynamodbstreams, info.tables.ItemsTable ?? ''], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ body: 'from boto3', failed: 0, arn: info.streams.ItemsTable, first: [['INSERT', 'a1'], ['MODIFY', 'a1']] });
  });
});
