import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamLog, StreamLogWriter } from '../../../local/streams/stream-log';

/*
 * A local DynamoDB stream keeps only its newest records in memory (a soak wrote 90,000); older ones
 * are read back from its file by byte offset, so a consumer far behind loses nothing.
 */
const definition = { tableName: 'Orders', streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/x', viewType: 'NEW_AND_OLD_IMAGES' as const };
const change = (n: number) => ({ keys: { id: { S: `item-${String(n)}` } }, newImage: { id: { S: `item-${String(n)}` }, n: { N: String(n) } } });
const ids = (records: { dynamodb: { Keys: Record<string, unknown>; SequenceNumber: string } }[]) => records.map((record) => [(record.dynamodb.Keys.id as { S: string }).S, Number(record.dynamodb.SequenceNumber)]);

describe('a local DynamoDB stream', () => {
  it('serves every record in order, from memory and from its file, across a restart and a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-log-'));
    const log = new StreamLogWriter(definition, dir, 'us-east-1', 3);
    for (let n = 1; n <= 10; n++) log.append(change(n));
    const all = Array.from({ length: 10 }, (_, index) => [`item-${String(index + 1)}`, index + 1]);
    expect(log.length).toBe(10);
    expect(ids(log.read(0, 100))).toEqual(all);
    expect(ids(log.read(2, 3))).toEqual(all.slice(2, 5));
    expect(ids(log.read(5, 4))).toEqual(all.slice(5, 9));

    // A crash mid-append leaves half a line: it was never acknowledged, and the next record starts clean.
    appendFileSync(join(dir, 'Orders.jsonl'), '{"eventID":"torn');
    const restarted = new StreamLogWriter(definition, dir, 'us-east-1', 3);
    expect(ids(restarted.read(0, 100))).toEqual(all);
    restarted.append(change(11));
    expect(ids(new StreamLogWriter(definition, dir, 'us-east-1', 3).read(8, 100))).toEqual([...all.slice(8), ['item-11', 11]]);
  });

  it('appends at start-up the record of a write a kill cut off from it, and nothing for one that did not happen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-log-'));
    const log = new StreamLogWriter(definition, dir, 'us-east-1');
    const done = log.intend({ id: { S: 'a' } }, undefined);
    log.append({ keys: { id: { S: 'a' } }, newImage: { id: { S: 'a' } } });
    log.settle(done);
    // Killed after these two writes reached the table (b) or not (c), before their records.
    log.intend({ id: { S: 'b' } }, undefined);
    log.intend({ id: { S: 'c' } }, { id: { S: 'c' }, n: { N: '1' } });
    const table: Record<string, Record<string, unknown>> = { a: { id: { S: 'a' } }, b: { id: { S: 'b' }, n: { N: '7' } }, c: { id: { S: 'c' }, n: { N: '1' } } };
    const restarted = new StreamLogWriter(definition, dir, 'us-east-1');
    expect(await restarted.recover((keys) => Promise.resolve(table[(keys.id as { S: string }).S]))).toBe(1);
    const records = restarted.read(0, 10);
    expect(records.map((record) => [record.eventName, (record.dynamodb.Keys.id as { S: string }).S])).toEqual([['INSERT', 'a'], ['INSERT', 'b']]);
    expect(records[1]?.dynamodb.NewImage).toEqual(table.b);
    // Recovered once: a second start appends nothing more.
    expect(await new StreamLogWriter(definition, dir, 'us-east-1').recover(() => Promise.resolve(undefined))).toBe(0);
  });

  it("keeps the runtime's copy equal to the writer's: records from messages, duplicates ignored, a gap read from the file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-log-'));
    const writer = new StreamLogWriter(definition, dir, 'us-east-1', 3);
    for (let n = 1; n <= 2; n++) writer.append(change(n));
    const sent: { record: Parameters<StreamLog['ingest']>[0]; bytes: number }[] = [];
    writer.onAppend((record, bytes) => sent.push({ record, bytes }));
    // The copy loads the file first: records 1 and 2.
    const copy = new StreamLog(definition, dir, 3);
    const seen: number[] = [];
    copy.onAppend((record) => seen.push(Number(record.dynamodb.SequenceNumber)));
    for (let n = 3; n <= 9; n++) writer.append(change(n));
    const [third, fourth, fifth] = sent;
    if (!third || !fourth || !fifth) throw new Error('the writer sent no records');
    copy.ingest(third.record, third.bytes);
    copy.ingest(third.record, third.bytes); // sent again: already there
    copy.ingest(fourth.record, fourth.bytes);
    // The messages for 5 to 8 are lost; 9 arrives, and the copy reads 5 to 9 from the file.
    const last = sent.at(-1);
    if (!last) throw new Error('the writer sent no records');
    copy.ingest(last.record, last.bytes);
    copy.ingest(fifth.record, fifth.bytes); // late: already read from the file
    expect(seen).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(copy.length).toBe(9);
    expect(ids(copy.read(0, 100))).toEqual(ids(writer.read(0, 100)));
    // Only the newest are in memory: the older ones come back from the file by the offsets the copy counted.
    expect(ids(copy.read(1, 3))).toEqual([['item-2', 2], ['item-3', 3], ['item-4', 4]]);
  });
});
