import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalArchive, LocalEventBus, LocalRule, LocalRuleTarget } from '../template/local-template';
import { matchesPattern } from './event-pattern';
import { ArchiveReplays } from './replays';

/** An event as EventBridge delivers it to targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** Set on an event put back on its bus by a replay. */
  'replay-name'?: string;
}

/** What GET /_local/events lists: each event put on a bus, and the rules it matched. */
export interface SeenEvent {
  bus: string;
  event: EventEnvelope;
  rules: string[];
}

export class EventBridgeError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/** An entry's size as EventBridge counts it for the 256 KB limit ("Calculating PutEvents event entry size"). */
export function entrySize(entry: PutEventsEntry): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  return (entry.Time === undefined ? 0 : 14) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (Array.isArray(entry.Resources) ? entry.Resources.reduce((sum: number, resource) => sum + bytes(resource), 0) : 0);
}

export interface EventBridgeOptions {
  region: string;
  accountId: string;
  /** Where archives are kept (one JSON line per event). */
  archiveDir: string;
  sendToQueue: (queueArn: string, body: string) => Promise<void>;
  log: (line: string) => void;
  /** How many events GET /_local/events keeps. */
  keep?: number;
  /** Delay before each of Lambda's two async-invoke retries of a failed target invocation. */
  asyncRetryDelayMs?: number;
}

/**
 * EventBridge for the template's buses: PutEvents with AWS's validation, rules matched against
 * each event, Lambda targets invoked asynchronously (with Lambda's two retries of an async invoke)
 * and SQS targets sent to, archives kept on disk, and the last events kept for GET /_local/events.
 */
export class EventBridgeService {
  private readonly buses = new Map<string, LocalEventBus>();
  private readonly seen: SeenEvent[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listeners = new Set<(seen: SeenEvent) => void>();
  /** ListArchives, DescribeArchive and the replay operations. */
  readonly replays: ArchiveReplays;

  constructor(
    buses: LocalEventBus[],
    private readonly rules: LocalRule[],
    private readonly archives: LocalArchive[],
    private readonly lambda: LambdaInvoker,
    private readonly options: EventBridgeOptions,
  ) {
    for (const bus of buses) {
      this.buses.set(bus.name, bus);
      this.buses.set(bus.arn, bus);
    }
    mkdirSync(options.archiveDir, { recursive: true });
    this.replays = new ArchiveReplays(archives, {
      region: options.region,
      accountId: options.accountId,
      archiveDir: options.archiveDir,
      busArn: (name) => this.buses.get(name)?.arn ?? `arn:aws:events:${options.region}:${options.accountId}:event-bus/${name}`,
      replay: (busName, event, filterArns) => {
        const bus = this.buses.get(busName);
        if (bus) this.route(bus, event, filterArns === undefined ? undefined : new Set(filterArns));
      },
      log: options.log,
    });
  }

  /** A rule's ARN as EventBridge forms it: the bus name appears for rules on a custom bus. */
  ruleArn(rule: LocalRule): string {
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${rule.busName === 'default' ? '' : `${rule.busName}/`}${rule.name}`;
  }

  private kindOf(target: LocalRuleTarget): 'lambda' | 'sqs' | undefined {
    if (target.arn.startsWith('arn:aws:sqs:')) return 'sqs';
    if (target.arn.startsWith('arn:aws:lambda:') && this.lambda.find(target.arn)) return 'lambda';
    return undefined;
  }

  /** PutEvents: validates the request and each entry, and puts the valid ones on their buses. */
  putEvents(input: Record<string, unknown>): { FailedEntryCount: number; Entries: EntryResult[] } {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0) throw new EventBridgeError('ValidationException', "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");
    if (entries.length > MAX_ENTRIES) {
      throw new EventBridgeError('ValidationException', `1 validation error detected: Value '[${entries.map(() => 'PutEventsRequestEntry').join(', ')}]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${String(MAX_ENTRIES)}`);
    }
    const total = (entries as PutEventsEntry[]).reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total > MAX_REQUEST_BYTES) throw new EventBridgeError('ValidationException', 'Total size of the entries in the request is over the limit.');
    const results = (entries as PutEventsEntry[]).map((entry) => this.putOne(entry));
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  }

  private putOne(entry: PutEventsEntry): EntryResult {
    const invalid = (name: string, reason: string): EntryResult => ({ ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${name} is not valid. Reason: ${reason}` });
    if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Source', 'Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalid('DetailType', 'DetailType is a required argument.');
    if (typeof entry.Detail !== 'string' || entry.Detail === '') return invalid('Detail', 'Detail is a required argument.');
    if (entry.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const busName = typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default';
    const bus = this.buses.get(busName);
    if (!bus) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : typeof entry.Time === 'string' ? new Date(entry.Time) : new Date();
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.options.accountId,
      time: (Number.isNaN(time.getTime()) ? new Date() : time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      detail,
    };
    this.route(bus, event);
    return { EventId: event.id };
  }

  /** Matches the event to the bus's rules (a replayed event: only those in `onlyRules`, when given) and delivers it. */
  private route(bus: LocalEventBus, event: EventEnvelope, onlyRules?: ReadonlySet<string>): void {
    const replayed = event['replay-name'] !== undefined;
    const matched = this.rules.filter((rule) => rule.enabled && rule.busName === bus.name && (onlyRules === undefined || onlyRules.has(this.ruleArn(rule))) && matchesPattern(rule.pattern, event));
    this.options.log(`event on ${bus.name}: ${JSON.stringify(event)} -> ${matched.length > 0 ? matched.map((rule) => rule.name).join(', ') : 'no rule'}`);
    const seen: SeenEvent = { bus: bus.name, event, rules: matched.map((rule) => rule.name) };
    this.seen.push(seen);
    if (this.seen.length > (this.options.keep ?? 500)) this.seen.shift();
    for (const listener of this.listeners) listener(seen);
    for (const archive of replayed ? [] : this.archives) {
      if (archive.busName === bus.name && (archive.pattern === undefined || matchesPattern(archive.pattern, event))) {
        appendFileSync(join(this.options.archiveDir, `${archive.logicalId}.jsonl`), `${JSON.stringify(event)}\n`);
      }
    }
    for (const rule of matched) {
      for (const target of rule.targets) {
        const delivery = this.deliver(rule, target, event).catch((error: unknown) => {
          this.options.log(`rule ${rule.name}: target ${target.id} failed: ${String(error)}`);
        });
        this.inFlight.add(delivery);
        void delivery.finally(() => this.inFlight.delete(delivery));
      }
    }
  }

  private async deliver(rule: LocalRule, target: LocalRuleTarget, event: EventEnvelope): Promise<void> {
    const payload: unknown = target.input !== undefined ? JSON.parse(target.input) : target.inputPath !== undefined ? pathOf(event, target.inputPath) : event;
    const kind = this.kindOf(target);
    if (kind === 'sqs') {
      await this.options.sendToQueue(target.arn, JSON.stringify(payload));
      return;
    }
    if (kind === 'lambda') {
      // EventBridge invokes Lambda asynchronously: Lambda runs it and retries a function error twice.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.options.asyncRetryDelayMs ?? 1000));
        const result = await this.lambda.invoke(target.arn, payload);
        if (result.ok) return;
        this.options.log(`rule ${rule.name}: ${target.arn} failed on event ${event.id} (attempt ${String(attempt + 1)} of 3): ${result.error.errorType}`);
      }
      return;
    }
    this.options.log(`rule ${rule.name}: target ${target.arn} is not emulated; event ${event.id} not delivered to it`);
  }

  /** The events put on any bus since start, oldest first (at most the last `keep`). */
  recent(): readonly SeenEvent[] {
    return this.seen;
  }

  /** Calls `listener` with each event put on any bus (synchronously: it must only note it); returns the unsubscribe function. */
  onEvent(listener: (seen: SeenEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Bus names, for runtime.json. */
  busNames(): string[] {
    return [...new Set([...this.buses.values()].map((bus) => bus.name))];
  }

  /** Waits for target deliveries in flight (on shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/** InputPath: a JSONPath of `$` and dotted member names, which is what rule targets use. */
function pathOf(event: EventEnvelope, path: string): unknown {
  if (path === '$') return event;
  return path.replace(/^\$\.?/, '').split('.').reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), event);
}
