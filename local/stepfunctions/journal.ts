import { type WriteStream, appendFileSync, closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from './history';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The journal entry of one execution: enough to describe it, list its history and resume it. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  /** Set when StartExecution named a version, or an alias (then the version it pointed to), as AWS reports it. */
  stateMachineVersionArn?: string;
  /** Set when StartExecution named an alias. */
  stateMachineAliasArn?: string;
  /**
   * The published version whose definition this execution runs, however it was started (an unqualified
   * start runs the newest one): a resume after the ASL changed must not switch definitions mid-run.
   */
  definitionVersion?: number;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
  /** The state that was running and its input: where a restarted runtime resumes (a redrive). */
  resume?: { state: string; input: unknown };
  redriveCount: number;
}

interface JournalLine {
  record: Omit<ExecutionRecord, 'events'>;
  /** The history events added since the execution's previous line. */
  events: HistoryEvent[];
}

/**
 * An append-only journal of executions (`journal.jsonl`): one line per change, carrying the
 * record's fields and only the history events that are new. One stream writes the lines in order
 * without blocking the event loop; writing the whole record synchronously on every state entered
 * took a quarter of the runtime's main thread under load.
 */
export class ExecutionJournal {
  private readonly path: string;
  private stream: WriteStream | undefined;
  private readonly journalled = new Map<string, number>();
  /** Where each execution's lines sit in the file (byte offset and length), so its history can be read back. */
  private readonly lines = new Map<string, [number, number][]>();
  /** Bytes in the file once every line handed to the stream is written: the next line's offset. */
  private size = 0;
  private last: Promise<void> = Promise.resolve();

  /** Where entries that cannot be replayed or resumed are moved, one JSON line each with the reason. */
  readonly quarantinePath: string;

  constructor(
    private readonly dir: string,
    private readonly onError: (error: Error) => void,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'journal.jsonl');
    this.quarantinePath = join(dir, 'quarantine.jsonl');
  }

  /**
   * Moves an entry aside with the reason it was refused, so the journal no longer replays it and
   * the evidence survives for whoever debugs it. Returns where it went.
   */
  quarantine(entry: unknown, reason: string): string {
    let text: string;
    try {
      text = JSON.stringify({ quarantinedAt: new Date().toISOString(), reason, entry });
    } catch {
      text = JSON.stringify({ quarantinedAt: new Date().toISOString(), reason, entry: String(entry).slice(0, 10_000) });
    }
    appendFileSync(this.quarantinePath, `${text}\n`);
    return this.quarantinePath;
  }

  /** Replays the journal, rewrites it with one line per execution, and opens it for appending. */
  load(): ExecutionRecord[] {
    const records = new Map<string, ExecutionRecord>();
    const lines = existsSync(this.path) ? readFileSync(this.path, 'utf8').split('\n') : [];
    for (const [index, text] of lines.entries()) {
      if (text.trim() === '') continue;
      let line: JournalLine;
      try {
        line = JSON.parse(text) as JournalLine;
      } catch (error) {
        // Most often the torn last line of a killed runtime (the line before it is the resume point).
        const reason = `line ${String(index + 1)} is not JSON (${error instanceof Error ? error.message : String(error)})`;
        this.log(`execution journal: ${reason}; quarantined in ${this.quarantine(text, reason)}`);
        continue;
      }
      const malformed = malformedLine(line);
      if (malformed) {
        const reason = `line ${String(index + 1)} ${malformed}`;
        this.log(`execution journal: ${reason}; quarantined in ${this.quarantine(text, reason)}`);
        continue;
      }
      const previous = records.get(line.record.executionArn);
      records.set(line.record.executionArn, { ...line.record, events: [...(previous?.events ?? []), ...line.events] });
    }
    // Journals written before the append-only format: one file per execution.
    const legacy = readdirSync(this.dir).filter((name) => name.endsWith('.json'));
    for (const file of legacy) {
      const text = readFileSync(join(this.dir, file), 'utf8');
      let record: ExecutionRecord | undefined;
      try {
        record = JSON.parse(text) as ExecutionRecord;
      } catch {
        record = undefined;
      }
      if (!record || malformedLine({ record, events: record.events })) {
        this.log(`execution journal: ${file} is not an execution record; quarantined in ${this.quarantine(text, `${file} is not an execution record`)}`);
        continue;
      }
      if (!records.has(record.executionArn)) records.set(record.executionArn, record);
    }
    this.size = 0;
    const compacted = [...records.values()].map((record) => this.place(record.executionArn, this.line(record, 0), true)).join('');
    writeFileSync(`${this.path}.tmp`, compacted);
    renameSync(`${this.path}.tmp`, this.path);
    for (const file of legacy) rmSync(join(this.dir, file));
    this.stream = createWriteStream(this.path, { flags: 'a' });
    this.stream.on('error', this.onError);
    return [...records.values()];
  }

  private line(record: ExecutionRecord, from: number): string {
    const { events, ...fields } = record;
    this.journalled.set(record.executionArn, events.length);
    return `${JSON.stringify({ record: fields, events: events.slice(from) } satisfies JournalLine)}\n`;
  }

  /** Appends what changed in the record since its last line; resolves once the OS has the bytes. */
  append(record: ExecutionRecord): Promise<void> {
    const stream = this.stream;
    if (!stream) {
      this.onError(new Error(`not open (load() first, nothing after close()): ${record.name} was not journalled`));
      return this.last;
    }
    const text = this.place(record.executionArn, this.line(record, this.journalled.get(record.executionArn) ?? 0), false);
    this.last = new Promise<void>((resolve) => {
      stream.write(text, (error) => {
        if (error) this.onError(error);
        resolve();
      });
    });
    return this.last;
  }

  /** Whether the record has history events its lines do not hold yet (an engine event after the last write). */
  behind(record: ExecutionRecord): boolean {
    return (this.journalled.get(record.executionArn) ?? 0) < record.events.length;
  }

  /** Records where a line goes: one stream writes every line in order, so offsets follow from the lengths. */
  private place(executionArn: string, text: string, first: boolean): string {
    const length = Buffer.byteLength(text);
    const placed = first ? [] : (this.lines.get(executionArn) ?? []);
    placed.push([this.size, length]);
    this.lines.set(executionArn, placed);
    this.size += length;
    return text;
  }

  /**
   * An execution's whole history, read back from its lines in the file. The service keeps finished
   * executions' histories here rather than in memory (a soak of 18,000 orders held them all); call it
   * only once the execution's lines are written (`flushed()`).
   */
  readEvents(executionArn: string): HistoryEvent[] {
    const placed = this.lines.get(executionArn) ?? [];
    const fd = openSync(this.path, 'r');
    try {
      return placed.flatMap(([offset, length]) => {
        const buffer = Buffer.alloc(length);
        readSync(fd, buffer, 0, length, offset);
        return (JSON.parse(buffer.toString('utf8')) as JournalLine).events;
      });
    } finally {
      closeSync(fd);
    }
  }

  /** Resolves when every line appended so far has been written. */
  flushed(): Promise<void> {
    return this.last;
  }

  /** Writes what is pending and closes the file. */
  close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    return new Promise((resolve) => {
      if (!stream) resolve();
      else stream.end(resolve);
    });
  }
}

/** What is wrong with a parsed journal line's shape, or undefined when it can be replayed. */
function malformedLine(line: unknown): string | undefined {
  if (typeof line !== 'object' || line === null) return 'is not a journal entry';
  const { record: value, events } = line as { record?: unknown; events?: unknown };
  if (typeof value !== 'object' || value === null) return 'has no record';
  const record = value as Partial<ExecutionRecord>;
  if (typeof record.executionArn !== 'string' || typeof record.stateMachineArn !== 'string' || typeof record.name !== 'string') return 'has no execution ARN, state machine ARN or name';
  if (typeof record.status !== 'string') return 'has no status';
  if (!Array.isArray(events)) return 'has no list of history events';
  return undefined;
}
