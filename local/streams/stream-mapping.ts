import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InvokeResult, LambdaInvoker } from '../lambda/lambda-service';
import type { LocalStreamMapping } from '../template/local-template';
import { matchesPattern } from '../eventbridge/event-pattern';
import { SHARD_ID, type StreamLog, type StreamRecord } from './stream-log';

export interface StreamMappingOptions {
  /** Where each mapping's checkpoint is kept (one JSON file per mapping). */
  checkpointDir: string;
  /** Delivers an on-failure record to an SQS queue ARN (DestinationConfig.OnFailure). */
  sendToQueue: (queueArn: string, body: string) => Promise<void>;
  log: (line: string) => void;
  /** The first retry's delay; each further one doubles it, up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

interface Checkpoint {
  /** How many of the stream's records are done (delivered, filtered out or sent to the on-failure destination). */
  position: number;
}

type Outcome =
  | { kind: 'success' }
  /** The function reported these records (from the first failed one on) as failed. */
  | { kind: 'partial'; from: number }
  | { kind: 'error'; result: InvokeResult & { ok: false } };

/**
 * One event source mapping of a DynamoDB stream, as Lambda runs it with ParallelizationFactor 1:
 * one batch in flight at a time, in stream order, the checkpoint moved only past records that are
 * done, and kept on disk so a restart resumes where the last one stopped. A function error (thrown,
 * crashed, timed out) retries the batch, halving it first when BisectBatchOnFunctionError is set;
 * halving does not count as a retry, so a poison record is isolated and then retried
 * MaximumRetryAttempts times before its batch info goes to the on-failure destination.
 */
export class StreamMapping {
  private checkpoint: Checkpoint;
  private readonly file: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Batches invoked, for tests and the console. */
  invocations = 0;

  constructor(
    readonly mapping: LocalStreamMapping,
    private readonly stream: StreamLog,
    private readonly lambda: LambdaInvoker,
    private readonly options: StreamMappingOptions,
  ) {
    mkdirSync(options.checkpointDir, { recursive: true });
    this.file = join(options.checkpointDir, `${mapping.id}.json`);
    const saved = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Checkpoint) : undefined;
    // LATEST is the stream's end when the mapping is created, which locally is its first start.
    this.checkpoint = saved ?? { position: mapping.startingPosition === 'LATEST' ? stream.length : 0 };
    if (!saved) this.save();
  }

  /** Where the mapping stands: records done, and records in the stream. */
  get position(): { done: number; total: number } {
    return { done: this.checkpoint.position, total: this.stream.length };
  }

  /** Read through a method: a stop() during an await changes it, which a narrowed field read would hide. */
  private isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (!this.mapping.enabled || this.running) return;
    this.running = true;
    this.unsubscribe = this.stream.onAppend(() => this.wake?.());
    this.loop = this.run().catch((error: unknown) => {
      this.options.log(`event source mapping ${this.mapping.id} stopped: ${String(error)}`);
    });
  }

  /** Stops after the batch in flight (whose checkpoint is then saved). */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
  }

  private save(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.checkpoint));
    renameSync(`${this.file}.tmp`, this.file);
  }

  private advance(position: number): void {
    this.checkpoint = { position };
    this.save();
  }

  /** Resolves on the next append, on stop, or after `ms`. */
  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { batchSize, maximumBatchingWindowSeconds } = this.mapping;
    let windowOpened: number | undefined;
    while (this.running) {
      const available = this.stream.length - this.checkpoint.position;
      if (available === 0) {
        windowOpened = undefined;
        await this.sleep();
        continue;
      }
      // The batching window: wait for a full batch, or until the window since the first waiting record closes.
      windowOpened ??= Date.now();
      const windowLeft = maximumBatchingWindowSeconds * 1000 - (Date.now() - windowOpened);
      if (available < batchSize && windowLeft > 0) {
        await this.sleep(windowLeft);
        continue;
      }
      windowOpened = undefined;
      const start = this.checkpoint.position;
      const read = this.stream.read(start, batchSize);
      const records = this.mapping.filters.length === 0 ? read : read.filter((record) => this.mapping.filters.some((pattern) => matchesPattern(pattern, record)));
      const complete = records.length === 0 || (await this.deliver(records));
      // Filtered-out records are done too: the checkpoint passes the whole read once its batch is.
      if (complete) this.advance(start + read.length);
    }
  }

  /** Delivers one batch until every record in it is done; false if the mapping stopped first. */
  private async deliver(batch: StreamRecord[]): Promise<boolean> {
    const positionAfter = (record: StreamRecord) => Number(record.dynamodb.SequenceNumber);
    // Segments still to deliver, in order, each with the retries it has used.
    const segments: { records: StreamRecord[]; attempts: number }[] = [{ records: batch, attempts: 0 }];
    while (segments.length > 0 && this.running) {
      const segment = segments[0] as { records: StreamRecord[]; attempts: number };
      const expired = this.expired(segment.records);
      if (expired > 0) {
        const dropped = segment.records.slice(0, expired);
        await this.sendOnFailure(dropped, 'RecordAgeExceeded', segment.attempts + 1);
        segment.records = segment.records.slice(expired);
        this.advance(positionAfter(dropped.at(-1) as StreamRecord));
        if (segment.records.length === 0) segments.shift();
        continue;
      }
      const outcome = await this.invoke(segment.records);
      // Stopping mid-retry: the checkpoint stays before the batch, which the next start delivers again.
      if (!this.isRunning() && outcome.kind !== 'success') return false;
      if (outcome.kind === 'success') {
        this.advance(positionAfter(segment.records.at(-1) as StreamRecord));
        segments.shift();
        continue;
      }
      if (outcome.kind === 'partial') {
        // Lambda checkpoints before the first failed record and retries from it.
        if (outcome.from > 0) this.advance(positionAfter(segment.records[outcome.from - 1] as StreamRecord));
        segment.records = segment.records.slice(outcome.from);
      } else if (this.mapping.bisectBatchOnFunctionError && segment.records.length > 1) {
        const half = Math.ceil(segment.records.length / 2);
        segments.splice(0, 1, { records: segment.records.slice(0, half), attempts: segment.attempts }, { records: segment.records.slice(half), attempts: segment.attempts });
        continue;
      }
      segment.attempts += 1;
      const { maximumRetryAttempts } = this.mapping;
      if (maximumRetryAttempts >= 0 && segment.attempts > maximumRetryAttempts) {
        await this.sendOnFailure(segment.records, 'RetryAttemptsExhausted', segment.attempts, outcome.kind === 'error' ? outcome.result : undefined);
        this.advance(positionAfter(segment.records.at(-1) as StreamRecord));
        segments.shift();
        continue;
      }
      await this.sleep(Math.min(this.options.maxRetryDelayMs ?? 2000, (this.options.retryDelayMs ?? 100) * 2 ** (segment.attempts - 1)));
    }
    return segments.length === 0;
  }

  /** How many records at the head of the segment are older than MaximumRecordAgeInSeconds. */
  private expired(records: StreamRecord[]): number {
    const { maximumRecordAgeSeconds } = this.mapping;
    if (maximumRecordAgeSeconds < 0) return 0;
    const oldest = Date.now() / 1000 - maximumRecordAgeSeconds;
    const fresh = records.findIndex((record) => record.dynamodb.ApproximateCreationDateTime >= oldest);
    return fresh === -1 ? records.length : fresh;
  }

  private async invoke(records: StreamRecord[]): Promise<Outcome> {
    this.invocations += 1;
    const result = await this.lambda.invoke(this.mapping.functionLogicalId, { Records: records });
    if (!result.ok) return { kind: 'error', result };
    if (!this.mapping.reportBatchItemFailures) return { kind: 'success' };
    const failures = (result.payload as { batchItemFailures?: unknown } | null)?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return { kind: 'success' };
    const indexes = failures.map((failure) => {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      return typeof id === 'string' ? records.findIndex((record) => record.dynamodb.SequenceNumber === id) : -1;
    });
    // An empty, null or unknown itemIdentifier fails the whole batch, as Lambda treats it.
    if (indexes.some((index) => index < 0)) return { kind: 'partial', from: 0 };
    return { kind: 'partial', from: Math.min(...indexes) };
  }

  /** Lambda's on-failure invocation record for a stream batch (DDBStreamBatchInfo), sent to the destination queue. */
  private async sendOnFailure(records: StreamRecord[], condition: string, invokeCount: number, error?: InvokeResult & { ok: false }): Promise<void> {
    const first = records[0] as StreamRecord;
    const last = records.at(-1) as StreamRecord;
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const record = {
      requestContext: { requestId: error?.requestId ?? randomUUID(), functionArn: this.lambda.find(this.mapping.functionLogicalId)?.arn ?? this.mapping.functionLogicalId, condition, approximateInvokeCount: invokeCount },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(error ? { functionError: 'Unhandled' } : {}) },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: SHARD_ID,
        startSequenceNumber: first.dynamodb.SequenceNumber,
        endSequenceNumber: last.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: iso(first.dynamodb.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: iso(last.dynamodb.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: this.mapping.streamArn,
      },
    };
    const range = `${first.dynamodb.SequenceNumber}..${last.dynamodb.SequenceNumber}`;
    if (!this.mapping.onFailure) {
      this.options.log(`event source mapping ${this.mapping.id}: records ${range} discarded (${condition}); it has no on-failure destination`);
      return;
    }
    await this.options.sendToQueue(this.mapping.onFailure, JSON.stringify(record));
    this.options.log(`event source mapping ${this.mapping.id}: records ${range} sent to ${this.mapping.onFailure} (${condition})`);
  }
}
