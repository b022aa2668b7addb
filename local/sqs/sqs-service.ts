import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalQueue } from '../template/local-template';

/*
 * SQS for the template's queues (DLQs, on-failure destinations, EventBridge targets): the runtime's
 * own, served on the SQS JSON protocol that @aws-sdk/client-sqs 3.x and boto3 speak. Chosen over an
 * npm SQS server because none is kept up (sqslite and sqs-mock are small and stale; ElasticMQ and
 * LocalStack need Java or Docker), while what the runtime needs is small: send, receive with
 * visibility timeouts and long polling, delete, attributes, all kept on disk across restarts.
 */

interface StoredMessage {
  messageId: string;
  body: string;
  md5: string;
  attributes?: Record<string, unknown>;
  sentAt: number;
  /** Epoch ms before which the message is in flight (or delayed). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
}

export class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    /** The legacy query error code the SDK reads from x-amzn-query-error. */
    readonly queryCode: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

const nonExistent = () => new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const MAX_MESSAGE_BYTES = 262_144;

class LocalSqsQueue {
  messages: StoredMessage[] = [];
  private readonly file: string;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly queue: LocalQueue,
    dir: string,
  ) {
    this.file = join(dir, `${queue.name}.json`);
    if (existsSync(this.file)) this.messages = JSON.parse(readFileSync(this.file, 'utf8')) as StoredMessage[];
  }

  save(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.messages));
    renameSync(`${this.file}.tmp`, this.file);
  }

  notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  waitForMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Drops messages older than MessageRetentionPeriod, as SQS does. */
  expire(now: number): void {
    const before = this.messages.length;
    this.messages = this.messages.filter((message) => now - message.sentAt < this.queue.retentionSeconds * 1000);
    if (this.messages.length !== before) this.save();
  }
}

export class SqsService {
  private readonly queues = new Map<string, LocalSqsQueue>();
  private closed = false;

  constructor(
    queues: LocalQueue[],
    dir: string,
    /** How this machine reaches the SQS endpoint (for the URLs GetQueueUrl and ListQueues answer). */
    private endpoint = '',
  ) {
    mkdirSync(dir, { recursive: true });
    for (const queue of queues) this.queues.set(queue.name, new LocalSqsQueue(queue, dir));
  }

  setEndpoint(endpoint: string): void {
    this.endpoint = endpoint;
  }

  /** The URL the local endpoint answers for a queue. */
  localUrl(queue: LocalQueue): string {
    return `${this.endpoint}/${queue.arn.split(':')[4] ?? '000000000000'}/${queue.name}`;
  }

  /** A queue by URL (AWS's or the local one: the last path segment is the name), by ARN, or by name. */
  private find(reference: unknown): LocalSqsQueue {
    if (typeof reference !== 'string' || reference === '') throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.', 'AWS.SimpleQueueService.MissingParameter');
    const name = reference.startsWith('arn:') ? reference.split(':').at(-1) : reference.split('/').at(-1);
    const queue = name === undefined ? undefined : this.queues.get(name);
    if (!queue) throw nonExistent();
    return queue;
  }

  /** SendMessage, for the runtime itself (on-failure destinations, EventBridge targets); `queue` is an ARN or URL. */
  send(queue: string, body: string): { MessageId: string; MD5OfMessageBody: string } {
    return this.enqueue(this.find(queue), { MessageBody: body });
  }

  private enqueue(queue: LocalSqsQueue, input: Record<string, unknown>): { MessageId: string; MD5OfMessageBody: string } {
    const body = input.MessageBody;
    if (typeof body !== 'string' || body === '') throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.', 'AWS.SimpleQueueService.MissingParameter');
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new SqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${String(MAX_MESSAGE_BYTES)} bytes.`, 'InvalidParameterValue');
    const delay = Number(input.DelaySeconds ?? 0);
    const now = Date.now();
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5: md5(body),
      ...(input.MessageAttributes && typeof input.MessageAttributes === 'object' ? { attributes: input.MessageAttributes as Record<string, unknown> } : {}),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    queue.messages.push(message);
    queue.save();
    queue.notify();
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5 };
  }

  private receiveNow(queue: LocalSqsQueue, max: number, visibilityMs: number, withAttributes: boolean): Record<string, unknown>[] {
    const now = Date.now();
    queue.expire(now);
    this.redrive(queue, now);
    const taken = queue.messages.filter((message) => message.visibleAt <= now).slice(0, max);
    for (const message of taken) {
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityMs;
      message.receiptHandle = Buffer.from(`${message.messageId}:${randomUUID()}`).toString('base64');
    }
    if (taken.length > 0) queue.save();
    return taken.map((message) => ({
      MessageId: message.messageId,
      ReceiptHandle: message.receiptHandle,
      MD5OfBody: message.md5,
      Body: message.body,
      ...(message.attributes ? { MessageAttributes: message.attributes } : {}),
      ...(withAttributes
        ? {
            Attributes: {
              ApproximateReceiveCount: String(message.receiveCount),
              SentTimestamp: String(message.sentAt),
              ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? now),
              SenderId: 'LOCAL',
            },
          }
        : {}),
    }));
  }

  /** One SQS JSON-protocol operation (X-Amz-Target `AmazonSQS.<operation>`). */
  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'GetQueueUrl': {
        const queue = this.find(input.QueueName);
        return { QueueUrl: this.localUrl(queue.queue) };
      }
      case 'ListQueues': {
        const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
        return { QueueUrls: [...this.queues.values()].filter((queue) => queue.queue.name.startsWith(prefix)).map((queue) => this.localUrl(queue.queue)) };
      }
      case 'SendMessage':
        return this.enqueue(this.find(input.QueueUrl), input);
      case 'SendMessageBatch': {
        const queue = this.find(input.QueueUrl);
        const entries = Array.isArray(input.Entries) ? (input.Entries as Record<string, unknown>[]) : [];
        if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.', 'AWS.SimpleQueueService.EmptyBatchRequest');
        if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${String(entries.length)}.`, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
        const successful: unknown[] = [];
        const failed: unknown[] = [];
        for (const entry of entries) {
          try {
            successful.push({ Id: entry.Id, ...this.enqueue(queue, entry) });
          } catch (error) {
            if (!(error instanceof SqsError)) throw error;
            failed.push({ Id: entry.Id, SenderFault: true, Code: error.type, Message: error.message });
          }
        }
        return { Successful: successful, Failed: failed };
      }
      case 'ReceiveMessage': {
        const queue = this.find(input.QueueUrl);
        const max = Number(input.MaxNumberOfMessages ?? 1);
        if (!Number.isInteger(max) || max < 1 || max > 10) throw new SqsError('InvalidParameterValue', `Value ${String(max)} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`, 'InvalidParameterValue');
        const visibilityMs = Number(input.VisibilityTimeout ?? queue.queue.visibilityTimeoutSeconds) * 1000;
        const list = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
        const names = [...list(input.AttributeNames), ...list(input.MessageSystemAttributeNames)];
        const deadline = Date.now() + Math.min(20, Number(input.WaitTimeSeconds ?? 0)) * 1000;
        for (;;) {
          const messages = this.receiveNow(queue, max, visibilityMs, names.length > 0);
          const left = deadline - Date.now();
          if (messages.length > 0 || left <= 0 || this.closed) return messages.length > 0 ? { Messages: messages } : {};
          // Long polling: wake on a send, or when the earliest in-flight message becomes visible again.
          const nextVisible = Math.min(...queue.messages.map((message) => message.visibleAt)) - Date.now();
          await queue.waitForMessage(Math.max(10, Math.min(left, Number.isFinite(nextVisible) ? nextVisible : left)));
        }
      }
      case 'DeleteMessage': {
        const queue = this.find(input.QueueUrl);
        this.deleteByHandle(queue, input.ReceiptHandle);
        return {};
      }
      case 'DeleteMessageBatch': {
        const queue = this.find(input.QueueUrl);
        const entries = Array.isArray(input.Entries) ? (input.Entries as Record<string, unknown>[]) : [];
        const successful: unknown[] = [];
        const failed: unknown[] = [];
        for (const entry of entries) {
          try {
            this.deleteByHandle(queue, entry.ReceiptHandle);
            successful.push({ Id: entry.Id });
          } catch (error) {
            if (!(error instanceof SqsError)) throw error;
            failed.push({ Id: entry.Id, SenderFault: true, Code: error.type, Message: error.message });
          }
        }
        return { Successful: successful, Failed: failed };
      }
      case 'ChangeMessageVisibility': {
        const queue = this.find(input.QueueUrl);
        const message = queue.messages.find((candidate) => candidate.receiptHandle === input.ReceiptHandle);
        if (!message) throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.', 'ReceiptHandleIsInvalid');
        message.visibleAt = Date.now() + Number(input.VisibilityTimeout ?? 0) * 1000;
        queue.save();
        queue.notify();
        return {};
      }
      case 'GetQueueAttributes': {
        const queue = this.find(input.QueueUrl);
        const now = Date.now();
        queue.expire(now);
        const all: Record<string, string> = {
          QueueArn: queue.queue.arn,
          ApproximateNumberOfMessages: String(queue.messages.filter((message) => message.visibleAt <= now).length),
          ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((message) => message.visibleAt > now && message.receiveCount > 0).length),
          ApproximateNumberOfMessagesDelayed: String(queue.messages.filter((message) => message.visibleAt > now && message.receiveCount === 0).length),
          VisibilityTimeout: String(queue.queue.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(queue.queue.retentionSeconds),
          FifoQueue: String(queue.queue.fifo),
        };
        const wanted = Array.isArray(input.AttributeNames) ? (input.AttributeNames as string[]) : [];
        const attributes = wanted.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name)));
        return { Attributes: attributes };
      }
      case 'PurgeQueue': {
        const queue = this.find(input.QueueUrl);
        queue.messages = [];
        queue.save();
        return {};
      }
      default:
        throw new SqsError('UnsupportedOperation', `Operation ${operation} is not emulated locally (served: GetQueueUrl, ListQueues, SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility, GetQueueAttributes, PurgeQueue)`, 'AWS.SimpleQueueService.UnsupportedOperation');
    }
  }

  /** RedrivePolicy: a message received maxReceiveCount times that is visible again moves to the dead-letter queue. */
  private redrive(queue: LocalSqsQueue, now: number): void {
    const policy = queue.queue.redrive;
    if (!policy) return;
    const dead = queue.messages.filter((message) => message.visibleAt <= now && message.receiveCount >= policy.maxReceiveCount);
    if (dead.length === 0) return;
    const name = policy.deadLetterTargetArn.split(':').at(-1);
    const target = name === undefined ? undefined : this.queues.get(name);
    // A dead-letter queue outside the template: the messages stay, as the runtime cannot hold them elsewhere.
    if (!target) return;
    queue.messages = queue.messages.filter((message) => !dead.includes(message));
    for (const { receiptHandle: _handle, ...message } of dead) target.messages.push({ ...message, visibleAt: now });
    queue.save();
    target.save();
    target.notify();
  }

  private deleteByHandle(queue: LocalSqsQueue, handle: unknown): void {
    const at = queue.messages.findIndex((message) => message.receiptHandle !== undefined && message.receiptHandle === handle);
    if (at < 0) {
      // SQS accepts a stale handle of a message already deleted; a handle it never issued is invalid.
      if (typeof handle === 'string' && handle !== '') return;
      throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.', 'ReceiptHandleIsInvalid');
    }
    queue.messages.splice(at, 1);
    queue.save();
  }

  /** Queue names and the URLs this machine reaches them at, for runtime.json. */
  urls(): Record<string, string> {
    return Object.fromEntries([...this.queues.values()].map((queue) => [queue.queue.logicalId, this.localUrl(queue.queue)]));
  }

  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) queue.notify();
  }
}
