import { randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, truncateSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import type { StreamViewType } from '../template/local-template';

/** A DynamoDB AttributeValue map, as the low-level API and the stream records carry items. */
export type AttributeMap = Record<string, unknown>;

/** An item's identity across the tables: its table and its key (the key's attributes in the table's key-schema order). */
export const itemKey = (tableName: string, key: AttributeMap): string => `${tableName}\u0000${JSON.stringify(key)}`;


/** One record of a DynamoDB stream, in the shape GetRecords and the Lambda event carry it. */
export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  eventSourceARN: string;
}

/** What a table declares for its stream (from StreamSpecification), with the ARN `!GetAtt T.StreamArn` resolves to. */
export interface StreamDefinition {
  tableName: string;
  streamArn: string;
  viewType: StreamViewType;
}

/** The one shard of every local stream: a local table never splits. */
export const SHARD_ID = 'shardId-00000000000000000001-00000001';

/** DynamoDB's sequence numbers are 21–40 digit decimal strings, ordered as numbers; fixed width makes them order as strings too. */
export function sequenceNumber(n: number): string {
  return String(n).padStart(21, '0');
}

/** DynamoDB's SizeBytes: the size of the keys and images in the record, counted here as their UTF-8 JSON. */
function sizeOf(record: StreamRecord['dynamodb']): number {
  return Buffer.byteLength(JSON.stringify([record.Keys, record.NewImage ?? null, record.OldImage ?? null]));
}

/**
 * A table's stream as its readers see it (GetRecords, the event source mappings): the records of an
 * append-only log, one JSON line each under the state dir, so that neither the records nor their
 * sequence numbers are lost across a restart. A local table has one shard, so the log's order is
 * each item's order (and more: a total order). The log is written by a `StreamLogWriter` in the
 * DynamoDB process; the runtime's copy loads the file and takes each new record from that process
 * (`ingest`).
 */
export class StreamLog {
  /** The newest records, from position `base` on; older ones are read back from the file by offset. */
  private records: StreamRecord[] = [];
  private base = 0;
  /** Byte offset of every record's line in the file, by position (8 bytes a record, not the record). */
  private readonly offsets: number[] = [];
  protected size = 0;
  private readonly listeners = new Set<(record: StreamRecord, bytes: number) => void>();
  protected readonly file: string;

  constructor(
    readonly definition: StreamDefinition,
    dir: string,
    /** How many of the newest records stay in memory; a 20-minute soak held all 90,000. */
    private readonly inMemory = 2000,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${definition.tableName}.jsonl`);
    if (existsSync(this.file)) this.load(readFileSync(this.file));
  }

  /** Takes the complete lines of `bytes` (the file from `size` on); a line cut short by a crash mid-append was never acknowledged to the writer's caller. */
  private load(bytes: Buffer): void {
    let start = 0;
    for (let end = bytes.indexOf(10, start); end !== -1; end = bytes.indexOf(10, start)) {
      let record: StreamRecord;
      try {
        record = JSON.parse(bytes.toString('utf8', start, end)) as StreamRecord;
      } catch {
        break;
      }
      this.push(record, end + 1 - start);
      start = end + 1;
    }
  }

  private trim(): void {
    if (this.records.length <= this.inMemory * 2) return;
    const drop = this.records.length - this.inMemory;
    this.records = this.records.slice(drop);
    this.base += drop;
  }

  /** Adds a record whose line (`bytes` long, newline included) is the next in the file. */
  protected push(record: StreamRecord, bytes: number): void {
    this.offsets.push(this.size);
    this.size += bytes;
    this.records.push(record);
    this.trim();
    for (const listener of this.listeners) listener(record, bytes);
  }

  /**
   * A record the writer has appended (its line already in the file). One the file load already
   * took is ignored; one past a gap (a message missed) reads the missing lines from the file, which
   * holds every record before its message is sent.
   */
  ingest(record: StreamRecord, bytes: number): void {
    const position = Number(record.dynamodb.SequenceNumber);
    if (position <= this.length) return;
    if (position === this.length + 1) {
      this.push(record, bytes);
      return;
    }
    const fd = openSync(this.file, 'r');
    try {
      const rest = Buffer.alloc(fstatSync(fd).size - this.size);
      readSync(fd, rest, 0, rest.length, this.size);
      this.load(rest);
    } finally {
      closeSync(fd);
    }
  }

  /** Records after the one with `after` (a position: the count of records before), at most `limit`. */
  read(after: number, limit: number): StreamRecord[] {
    const end = Math.min(after + limit, this.length);
    const older: StreamRecord[] = [];
    if (after < this.base) {
      // A consumer far behind (a failing mapping, a CLI reading from TRIM_HORIZON): from the file.
      const fd = openSync(this.file, 'r');
      try {
        for (let position = after; position < Math.min(end, this.base); position++) {
          const offset = this.offsets[position] ?? 0;
          const length = (this.offsets[position + 1] ?? this.size) - offset;
          const buffer = Buffer.alloc(length);
          readSync(fd, buffer, 0, length, offset);
          older.push(JSON.parse(buffer.toString('utf8')) as StreamRecord);
        }
      } finally {
        closeSync(fd);
      }
    }
    return [...older, ...this.records.slice(Math.max(0, after - this.base), Math.max(0, end - this.base))];
  }

  /** How many records the stream holds: the position after the newest. */
  get length(): number {
    return this.base + this.records.length;
  }

  /** Calls `listener` after every record added, with the record and its line's length; returns the unsubscribe. */
  onAppend(listener: (record: StreamRecord, bytes: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The writer of a table's stream, beside the table (in the DynamoDB process, local/storage/store-process.ts):
 * appends each change's record before the write's caller hears of success, and keeps the intents
 * that let a start-up repair a write a kill cut off from its record.
 */
export class StreamLogWriter extends StreamLog {
  /** Writes in flight (their key and before-image), so a kill between a write and its record is repaired at start-up. */
  private readonly intents: string;
  private nextIntent = 1;

  constructor(
    definition: StreamDefinition,
    dir: string,
    private readonly region: string,
    inMemory?: number,
  ) {
    super(definition, dir, inMemory);
    this.intents = join(dir, `${definition.tableName}.intents.jsonl`);
    // Cut a torn last line off, so the next record starts a line of its own.
    if (existsSync(this.file)) truncateSync(this.file, this.size);
  }

  /**
   * Notes a write about to be forwarded, with the item's image before it; `settle` it once its
   * record is appended (or the write failed or changed nothing). On AWS the record is part of the
   * write; here dynalite and this log are two files, and a SIGKILL between them lost the record of
   * a write that had happened (the chaos suite saw orders without OrderPlaced).
   */
  intend(keys: AttributeMap, oldImage: AttributeMap | undefined): number {
    const id = this.nextIntent++;
    appendFileSync(this.intents, `${JSON.stringify({ id, keys, oldImage: oldImage ?? null })}\n`);
    return id;
  }

  settle(id: number): void {
    appendFileSync(this.intents, `${JSON.stringify({ id, settled: true })}\n`);
  }

  /**
   * At start-up, before any write: each write noted but never settled either happened (the item
   * differs from its before-image: its record is appended now) or did not. Writes to an item are
   * serialised, so at most one per item was in flight and the item's image now is its result.
   */
  async recover(read: (keys: AttributeMap) => Promise<AttributeMap | undefined>): Promise<number> {
    if (!existsSync(this.intents)) return 0;
    const open = new Map<number, { keys: AttributeMap; oldImage: AttributeMap | null }>();
    for (const line of readFileSync(this.intents, 'utf8').split('\n')) {
      if (!line) continue;
      let entry: { id: number; settled?: true; keys?: AttributeMap; oldImage?: AttributeMap | null };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // torn by the kill: the write it announced was never forwarded
      }
      if (entry.settled) open.delete(entry.id);
      else if (entry.keys) open.set(entry.id, { keys: entry.keys, oldImage: entry.oldImage ?? null });
    }
    let repaired = 0;
    for (const { keys, oldImage } of open.values()) {
      const now = await read(keys);
      if (isDeepStrictEqual(oldImage ?? undefined, now)) continue;
      this.append({ keys, oldImage: oldImage ?? undefined, newImage: now });
      repaired += 1;
    }
    writeFileSync(this.intents, '');
    return repaired;
  }

  /**
   * Appends the record of one successful item change and returns it. Written to disk before the
   * write's caller hears of success (appendFileSync), so an acknowledged change always has its record.
   */
  append(change: { keys: AttributeMap; oldImage?: AttributeMap | undefined; newImage?: AttributeMap | undefined }): StreamRecord {
    const { viewType } = this.definition;
    const eventName = change.oldImage === undefined ? 'INSERT' : change.newImage === undefined ? 'REMOVE' : 'MODIFY';
    const body: StreamRecord['dynamodb'] = {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: change.keys,
      ...(change.newImage && (viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES') ? { NewImage: change.newImage } : {}),
      ...(change.oldImage && (viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES') ? { OldImage: change.oldImage } : {}),
      SequenceNumber: sequenceNumber(this.length + 1),
      SizeBytes: 0,
      StreamViewType: viewType,
    };
    body.SizeBytes = sizeOf(body);
    const record: StreamRecord = {
      eventID: randomUUID().replaceAll('-', ''),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: body,
      eventSourceARN: this.definition.streamArn,
    };
    const line = `${JSON.stringify(record)}\n`;
    appendFileSync(this.file, line);
    this.push(record, Buffer.byteLength(line));
    return record;
  }
}
