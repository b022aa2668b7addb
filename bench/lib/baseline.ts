import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, localTemplate } from '../../tests/support/template';
import type { LevelResult } from './load';

/** What bench/in-process.ts reads from its argv. */
export interface BaselineSettings {
  /** Each level's closed-loop window. */
  seconds: number;
  /** Each level's GET window; 0 measures orders alone (bench:profile -- --baseline). */
  getSeconds: number;
  maxRunning: number;
  /** Orders at c=4 before the first level, and at each level before its window: what the runtime gets. */
  warmUpSeconds: number;
  levelWarmUpSeconds: number;
}

/** One in-process baseline (bench/in-process.ts) in its own process, driven level by level. */
export class Baseline {
  private readonly child: ChildProcess;
  private readonly pending: ((message: { level?: LevelResult; ready?: true; error?: string }) => void)[] = [];
  /** Resolves once the baseline has warmed up and waits for its first level. */
  readonly ready: Promise<unknown>;

  constructor(
    readonly mode: 'limit' | 'emulation',
    settings: BaselineSettings,
  ) {
    this.child = fork(join(ROOT, 'bench', 'in-process.ts'), [mode, JSON.stringify(settings)], {
      execArgv: ['--import', 'tsx'],
      cwd: ROOT,
      // Every function's template Environment (they agree on shared names), as Lambda gives it before the handlers load.
      env: { ...process.env, ...Object.fromEntries(localTemplate().functions.flatMap((fn) => Object.entries(fn.environment))) },
      // The handlers log every invocation; the baseline pays for writing the lines, not for showing them.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: { level?: LevelResult; ready?: true; error?: string }) => {
      if (message.error) {
        console.error(`${mode} baseline failed:\n${message.error}`);
        process.exit(1);
      }
      this.pending.shift()?.(message);
    });
    this.child.on('exit', (code, signal) => {
      if (this.pending.length === 0) return;
      console.error(`${mode} baseline exited (${String(code ?? signal)}) while a level was expected`);
      process.exit(1);
    });
    this.ready = this.next();
  }

  /** The baseline's process, whose tree holds its own dynalite and s3rver. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  private next(): Promise<{ level?: LevelResult }> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  async run(concurrency: number): Promise<LevelResult> {
    const answer = this.next();
    this.child.send({ run: concurrency });
    const { level } = await answer;
    if (!level) throw new Error(`${this.mode} baseline sent no result`);
    return level;
  }

  stop(): void {
    this.child.send({ stop: true });
  }
}
