import { createReadStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LocalArchive } from '../template/local-template';
import { EventBridgeError, type EventEnvelope } from './eventbridge-service';

/*
 * EventBridge archives and replays: ListArchives, DescribeArchive, StartReplay, DescribeReplay,
 * ListReplays and CancelReplay over the archives the runtime keeps on disk (one JSON line per
 * archived event). As on AWS, a replay puts the archived events whose time falls in
 * [EventStartTime, EventEndTime) back on the archive's own bus, oldest first, each with a
 * `replay-name` field; only the rules in Destination.FilterArns see them when that is given, and a
 * replayed event is not archived again (it would be replayed twice by the next replay).
 */

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface Replay {
  ReplayName: string;
  ReplayArn: string;
  Description?: string;
  EventSourceArn: string;
  Destination: { Arn: string; FilterArns?: string[] };
  State: ReplayState;
  StateReason?: string;
  /** Epoch seconds, as the JSON 1.1 protocol carries timestamps. */
  EventStartTime: number;
  EventEndTime: number;
  EventLastReplayedTime?: number;
  ReplayStartTime: number;
  ReplayEndTime?: number;
}

export interface ReplayHost {
  region: string;
  accountId: string;
  archiveDir: string;
  /** The bus ARN an archive's events came from. */
  busArn(busName: string): string;
  /** Puts a replayed event on its bus, for the rules in `filterArns` only when given. */
  replay(busName: string, event: EventEnvelope, filterArns: readonly string[] | undefined): void;
  log(line: string): void;
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

export class ArchiveReplays {
  private readonly replays = new Map<string, Replay>();
  private readonly file: string;

  constructor(
    private readonly archives: readonly LocalArchive[],
    private readonly host: ReplayHost,
  ) {
    this.file = join(host.archiveDir, 'replays.json');
    if (existsSync(this.file)) {
      for (const replay of JSON.parse(readFileSync(this.file, 'utf8')) as Replay[]) {
        // A replay cut short by a stop is not resumed: its events may be half delivered, and replaying them again is the caller's choice.
        if (replay.State === 'STARTING' || replay.State === 'RUNNING' || replay.State === 'CANCELLING') {
          Object.assign(replay, { State: 'FAILED', StateReason: 'The local runtime stopped during the replay' });
        }
        this.replays.set(replay.ReplayName, replay);
      }
    }
  }

  archiveArn(archive: LocalArchive): string {
    return `arn:aws:events:${this.host.region}:${this.host.accountId}:archive/${archive.logicalId}`;
  }

  private archivePath(archive: LocalArchive): string {
    return join(this.host.archiveDir, `${archive.logicalId}.jsonl`);
  }

  private archiveNamed(nameOrArn: string): LocalArchive {
    const archive = this.archives.find((candidate) => candidate.logicalId === nameOrArn || this.archiveArn(candidate) === nameOrArn);
    if (!archive) throw new EventBridgeError('ResourceNotFoundException', `Archive ${nameOrArn.split('/').pop() ?? nameOrArn} does not exist.`);
    return archive;
  }

  private describe(archive: LocalArchive): Record<string, unknown> {
    const path = this.archivePath(archive);
    const size = existsSync(path) ? statSync(path).size : 0;
    const count = size === 0 ? 0 : readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
    return {
      ArchiveArn: this.archiveArn(archive),
      ArchiveName: archive.logicalId,
      EventSourceArn: this.host.busArn(archive.busName),
      ...(archive.pattern === undefined ? {} : { EventPattern: JSON.stringify(archive.pattern) }),
      State: 'ENABLED',
      RetentionDays: archive.retentionDays,
      SizeBytes: size,
      EventCount: count,
    };
  }

  listArchives(input: Record<string, unknown>): { Archives: Record<string, unknown>[] } {
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const source = typeof input.EventSourceArn === 'string' ? input.EventSourceArn : undefined;
    const archives = this.archives.filter((archive) => archive.logicalId.startsWith(prefix) && (source === undefined || this.host.busArn(archive.busName) === source));
    return { Archives: archives.map((archive) => this.describe(archive)) };
  }

  describeArchive(input: Record<string, unknown>): Record<string, unknown> {
    if (typeof input.ArchiveName !== 'string') throw new EventBridgeError('ValidationException', "1 validation error detected: Value null at 'archiveName' failed to satisfy constraint: Member must not be null");
    return this.describe(this.archiveNamed(input.ArchiveName));
  }

  startReplay(input: Record<string, unknown>): { ReplayArn: string; State: ReplayState; ReplayStartTime: number } {
    const name = input.ReplayName;
    if (typeof name !== 'string' || !NAME.test(name)) throw new EventBridgeError('ValidationException', 'Parameter ReplayName is not valid. Reason: ReplayName must be 1 to 64 characters of [.-_A-Za-z0-9].');
    if (this.replays.has(name)) throw new EventBridgeError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    if (typeof input.EventSourceArn !== 'string') throw new EventBridgeError('ValidationException', 'Parameter EventSourceArn is not valid. Reason: EventSourceArn is a required argument.');
    const archive = this.archiveNamed(input.EventSourceArn);
    const start = input.EventStartTime;
    const end = input.EventEndTime;
    if (typeof start !== 'number' || typeof end !== 'number') throw new EventBridgeError('ValidationException', 'Parameter EventStartTime and EventEndTime are required.');
    if (start >= end) throw new EventBridgeError('ValidationException', 'Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.');
    if (end * 1000 > Date.now()) throw new EventBridgeError('ValidationException', 'Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.');
    const destination = input.Destination as { Arn?: unknown; FilterArns?: unknown } | undefined;
    if (typeof destination?.Arn !== 'string') throw new EventBridgeError('ValidationException', 'Parameter Destination.Arn is not valid. Reason: Destination.Arn is a required argument.');
    if (destination.Arn !== this.host.busArn(archive.busName)) throw new EventBridgeError('ValidationException', 'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
    const filterArns = Array.isArray(destination.FilterArns) ? destination.FilterArns.map(String) : undefined;
    const replay: Replay = {
      ReplayName: name,
      ReplayArn: `arn:aws:events:${this.host.region}:${this.host.accountId}:replay/${name}`,
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      EventSourceArn: this.archiveArn(archive),
      Destination: { Arn: destination.Arn, ...(filterArns ? { FilterArns: filterArns } : {}) },
      State: 'STARTING',
      EventStartTime: start,
      EventEndTime: end,
      ReplayStartTime: Date.now() / 1000,
    };
    this.replays.set(name, replay);
    this.save();
    // After the answer, as AWS answers STARTING and replays in the background.
    setImmediate(() => {
      this.run(replay, archive).catch((error: unknown) => {
        this.finish(replay, 'FAILED', String(error));
      });
    });
    return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: replay.ReplayStartTime };
  }

  private async run(replay: Replay, archive: LocalArchive): Promise<void> {
    replay.State = 'RUNNING';
    this.save();
    const events: EventEnvelope[] = [];
    const path = this.archivePath(archive);
    const retainedSince = Date.now() - archive.retentionDays * DAY_MS;
    if (existsSync(path)) {
      for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
        if (line === '') continue;
        const event = JSON.parse(line) as EventEnvelope;
        const at = Date.parse(event.time);
        if (at >= replay.EventStartTime * 1000 && at < replay.EventEndTime * 1000 && (archive.retentionDays === 0 || at >= retainedSince)) events.push(event);
      }
    }
    // Stable: events of the same second keep their archive order.
    events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    for (const event of events) {
      if (this.isCancelled(replay)) break;
      this.host.replay(archive.busName, { ...event, 'replay-name': replay.ReplayName }, replay.Destination.FilterArns);
      replay.EventLastReplayedTime = Date.parse(event.time) / 1000;
      // Lets a CancelReplay in between be served, as AWS processes a replay in steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.isCancelled(replay)) this.finish(replay, 'CANCELLED');
    else this.finish(replay, 'COMPLETED');
    this.host.log(`replay ${replay.ReplayName}: ${replay.State}, ${String(events.length)} archived event(s) in range`);
  }

  private isCancelled(replay: Replay): boolean {
    return replay.State === 'CANCELLING';
  }

  private finish(replay: Replay, state: ReplayState, reason?: string): void {
    replay.State = state;
    replay.ReplayEndTime = Date.now() / 1000;
    if (reason !== undefined) replay.StateReason = reason;
    this.save();
  }

  private named(input: Record<string, unknown>): Replay {
    const name = input.ReplayName;
    if (typeof name !== 'string') throw new EventBridgeError('ValidationException', "1 validation error detected: Value null at 'replayName' failed to satisfy constraint: Member must not be null");
    const replay = this.replays.get(name);
    if (!replay) throw new EventBridgeError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return replay;
  }

  describeReplay(input: Record<string, unknown>): Replay {
    return { ...this.named(input) };
  }

  listReplays(input: Record<string, unknown>): { Replays: Omit<Replay, 'Description' | 'Destination' | 'ReplayArn'>[] } {
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const state = typeof input.State === 'string' ? input.State : undefined;
    const source = typeof input.EventSourceArn === 'string' ? input.EventSourceArn : undefined;
    const replays = [...this.replays.values()].filter((replay) => replay.ReplayName.startsWith(prefix) && (state === undefined || replay.State === state) && (source === undefined || replay.EventSourceArn === source));
    return {
      Replays: replays.map(({ Description: _description, Destination: _destination, ReplayArn: _arn, ...summary }) => summary),
    };
  }

  cancelReplay(input: Record<string, unknown>): { ReplayArn: string; State: ReplayState } {
    const replay = this.named(input);
    if (replay.State !== 'STARTING' && replay.State !== 'RUNNING') throw new EventBridgeError('IllegalStatusException', `Replay ${replay.ReplayName} is not in a valid state for this operation.`);
    replay.State = 'CANCELLING';
    this.save();
    return { ReplayArn: replay.ReplayArn, State: replay.State };
  }

  private save(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify([...this.replays.values()]));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
