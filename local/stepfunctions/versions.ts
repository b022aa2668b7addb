import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One published version of a state machine: immutable, as on AWS. */
export interface PublishedVersion {
  stateMachineArn: string;
  /** 1, 2, …: the version ARN is `<stateMachineArn>:<version>`. */
  version: number;
  definition: Record<string, unknown>;
  /** Epoch milliseconds. */
  creationDate: number;
}

export const versionArn = (version: PublishedVersion): string => `${version.stateMachineArn}:${String(version.version)}`;

/**
 * The state machine versions the runtime has published (`versions.jsonl`, one line per version). They
 * outlive a restart, so version numbers keep counting up and an execution resumed after a restart
 * still finds the definition it started on, even when template.yaml's ASL has changed since.
 */
export class VersionStore {
  private readonly path: string;
  private readonly byMachine = new Map<string, PublishedVersion[]>();

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'versions.jsonl');
    const text = existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
    for (const line of text.split('\n')) {
      let version: PublishedVersion;
      try {
        version = JSON.parse(line) as PublishedVersion;
      } catch {
        continue; // empty, or the torn last line of a killed runtime: that version was never used
      }
      this.versionsOf(version.stateMachineArn).push(version);
    }
    // A torn last line must not swallow the next version appended after it.
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(this.path, '\n');
  }

  private versionsOf(stateMachineArn: string): PublishedVersion[] {
    let versions = this.byMachine.get(stateMachineArn);
    if (!versions) {
      versions = [];
      this.byMachine.set(stateMachineArn, versions);
    }
    return versions;
  }

  /** Oldest first. */
  list(stateMachineArn: string): readonly PublishedVersion[] {
    return this.byMachine.get(stateMachineArn) ?? [];
  }

  latest(stateMachineArn: string): PublishedVersion | undefined {
    return this.list(stateMachineArn).at(-1);
  }

  find(stateMachineArn: string, version: number): PublishedVersion | undefined {
    return this.list(stateMachineArn).find((candidate) => candidate.version === version);
  }

  /**
   * Publishes the definition as the next version unless the newest version already has it (as a SAM
   * deploy publishes one only when the state machine's revision changed). Returns the newest version
   * and whether it is new.
   */
  publish(stateMachineArn: string, definition: Record<string, unknown>): { version: PublishedVersion; published: boolean } {
    const latest = this.latest(stateMachineArn);
    if (latest && JSON.stringify(latest.definition) === JSON.stringify(definition)) return { version: latest, published: false };
    const version: PublishedVersion = { stateMachineArn, version: (latest?.version ?? 0) + 1, definition, creationDate: Date.now() };
    // Synchronous and before any execution can start on it: an execution's journal line names this version.
    appendFileSync(this.path, `${JSON.stringify(version)}\n`);
    this.versionsOf(stateMachineArn).push(version);
    return { version, published: true };
  }
}
