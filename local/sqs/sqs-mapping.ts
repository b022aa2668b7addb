import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalQueueMapping } from '../template/local-template';
import { matchesPattern } from '../eventbridge/event-pattern';
import type { SqsService } from './sqs-service';

interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, unknown>;
}

/**
 * A function's `Type: SQS` event source mapping, as Lambda polls a queue: receive up to BatchSize
 * messages (waiting up to MaximumBatchingWindowInSeconds to fill the batch), invoke the function
 * with the SQS event, and delete the messages it handled. A function error leaves the whole batch
 * on the queue, visible again after the visibility timeout (the queue's RedrivePolicy then moves
 * it to its DLQ after maxReceiveCount receives); with ReportBatchItemFailures only the reported
 * messages stay. Locally one batch is in flight per mapping, where Lambda scales its pollers.
 */
export class SqsMapping {
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    readonly mapping: LocalQueueMapping,
    private readonly sqs: SqsService,
    private readonly lambda: LambdaInvoker,
    private readonly options: { region: string; log: (line: string) => void },
  ) {}

  start(): void {
    if (!this.mapping.enabled || this.running) return;
    this.running = true;
    this.loop = this.run().catch((error: unknown) => {
      this.options.log(`event source mapping ${this.mapping.id} stopped: ${String(error)}`);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private isRunning(): boolean {
    return this.running;
  }

  private async receive(max: number, waitSeconds: number): Promise<ReceivedMessage[]> {
    const answer = (await this.sqs.handle('ReceiveMessage', { QueueUrl: this.mapping.queueArn, MaxNumberOfMessages: Math.min(10, max), WaitTimeSeconds: waitSeconds, AttributeNames: ['All'] })) as { Messages?: ReceivedMessage[] };
    return answer.Messages ?? [];
  }

  private async run(): Promise<void> {
    const { batchSize, maximumBatchingWindowSeconds } = this.mapping;
    while (this.isRunning()) {
      // A short long-poll, so stop() is never held up for long.
      const batch = await this.receive(batchSize, 1);
      if (batch.length === 0) continue;
      const windowEnds = Date.now() + maximumBatchingWindowSeconds * 1000;
      while (batch.length < batchSize && Date.now() < windowEnds && this.isRunning()) {
        batch.push(...(await this.receive(batchSize - batch.length, Math.min(1, Math.ceil((windowEnds - Date.now()) / 1000)))));
      }
      await this.deliver(batch);
    }
  }

  private async deliver(batch: ReceivedMessage[]): Promise<void> {
    const records = batch.map((message) => ({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: message.Attributes ?? {},
      messageAttributes: message.MessageAttributes ?? {},
      md5OfBody: message.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.mapping.queueArn,
      awsRegion: this.options.region,
    }));
    const remove = async (handles: string[]) => {
      for (const handle of handles) await this.sqs.handle('DeleteMessage', { QueueUrl: this.mapping.queueArn, ReceiptHandle: handle });
    };
    // Messages no filter matches are deleted unseen, as Lambda does with filtered SQS messages.
    const kept = this.mapping.filters.length === 0 ? records : records.filter((record) => this.mapping.filters.some((pattern) => matchesPattern(pattern, record)));
    await remove(records.filter((record) => !kept.includes(record)).map((record) => record.receiptHandle));
    if (kept.length === 0) return;
    const result = await this.lambda.invoke(this.mapping.functionLogicalId, { Records: kept });
    if (!result.ok) {
      this.options.log(`event source mapping ${this.mapping.id}: ${String(kept.length)} message(s) stay on the queue after ${result.error.errorType}`);
      return;
    }
    const failures = this.mapping.reportBatchItemFailures ? (result.payload as { batchItemFailures?: unknown } | null)?.batchItemFailures : undefined;
    if (!Array.isArray(failures) || failures.length === 0) {
      await remove(kept.map((record) => record.receiptHandle));
      return;
    }
    const failed = new Set(failures.map((failure) => (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier));
    // An itemIdentifier that names no message in the batch fails the whole batch, as Lambda treats it.
    if ([...failed].some((id) => typeof id !== 'string' || !kept.some((record) => record.messageId === id))) return;
    await remove(kept.filter((record) => !failed.has(record.messageId)).map((record) => record.receiptHandle));
  }
}
