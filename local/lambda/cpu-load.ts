import { type CpuInfo, availableParallelism, cpus } from 'node:os';

/** Whether the machine has CPU to spare for another execution environment. */
export interface CpuLoad {
  /** How many threads can run at once: a function's environments up to this many run in parallel, not in turn. */
  readonly cores: number;
  /** True when the last sampling interval left the machine's cores (nearly) no idle time. */
  saturated(): boolean;
  close(): void;
}

/**
 * Idle and total ticks over every core, from `os.cpus()`: the whole machine, not just this process
 * tree (in a container, the host's cores, which a CPU quota does not show).
 */
function ticks(read: () => CpuInfo[]): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of read()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/**
 * The machine's busy share of CPU over the last interval (250 ms by default), sampled on an unref'd
 * timer. A new environment costs a cold start of CPU; on a machine with no idle CPU it adds an isolate
 * to share the same cores, not capacity, so the Lambda service waits longer for a busy one first.
 */
export class SystemCpuLoad implements CpuLoad {
  private last: { idle: number; total: number };
  private busyShare = 0;
  private readonly timer: NodeJS.Timeout;
  readonly cores = availableParallelism();

  constructor(
    private readonly threshold = 0.9,
    intervalMs = 250,
    private readonly read: () => CpuInfo[] = cpus,
  ) {
    if (!(threshold > 0 && threshold <= 1)) throw new Error(`the saturation threshold is a share of the CPU in (0, 1], got ${String(threshold)}`);
    this.last = ticks(read);
    this.timer = setInterval(() => {
      this.sample();
    }, intervalMs);
    this.timer.unref();
  }

  /** Takes a sample now: the busy share since the previous one. The timer calls it; tests may too. */
  sample(): void {
    const now = ticks(this.read);
    const total = now.total - this.last.total;
    // A platform that reports no ticks (or a counter that went backwards) says nothing: not saturated.
    this.busyShare = total > 0 ? Math.max(0, 1 - (now.idle - this.last.idle) / total) : 0;
    this.last = now;
  }

  saturated(): boolean {
    return this.busyShare >= this.threshold;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
