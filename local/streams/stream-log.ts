import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamViewType } from '../template/local-template';

/** A DynamoDB AttributeValue map, as the low-level API and the stream records carry items. */
export type AttributeMap = Record<string, unknown>;


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
 * A table's stream: an append-only log of change records, one JSON line each under the state dir,
 * so that neither the records nor their sequence numbers are lost across a restart. A local table
 * has one shard, so the log's order is each item's order (and more: a total order).
 */
export class StreamLog {
  private readonly records: StreamRecord[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly file: string;

  constructor(
    readonly definition: StreamDefinition,
    dir: string,
    private readonly region: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${definition.tableName}.jsonl`);
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        // A line cut short by a crash mid-append was never acknowledged to the writer's caller.
        if (!line) continue;
        try {
          this.records.push(JSON.parse(line) as StreamRecord);
        } catch {
          break;
        }
      }
    }
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
      SequenceNumber: sequenceNumber(this.records.length + 1),
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
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
    this.records.push(record);
    for (const listener of this.listeners) listener();
    return record;
  }

  /** Records after the one with `after` (a position: the count of records before), at most `limit`. */
  read(after: number, limit: number): StreamRecord[] {
    return this.records.slice(after, after + limit);
  }

  /** How many records the stream holds: the position after the newest. */
  get length(): number {
    return this.records.length;
  }

  /** Calls `listener` after every append; returns the unsubscribe. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
