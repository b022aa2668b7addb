import { readFileSync } from 'node:fs';
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
 * tree (in a container, the host's cores).
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

/** Reads a file, or undefined where it does not exist (another cgroup version, not Linux). */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * This process's CPU quota (a container's `--cpus`, a systemd CPUQuota), which neither `os.cpus()`
 * nor `availableParallelism()` shows: cores it may use, and its CPU time used so far in µs, from
 * cgroup v2 (`cpu.max`, `cpu.stat`) or v1 (`cpu.cfs_quota_us` / `cpu.cfs_period_us`, `cpuacct.usage`).
 * Undefined without a quota.
 */
export function cgroupCpuQuota(read: ReadText = readText): { cores: number; usedMicros: () => number } | undefined {
  // This process's group per controller, from /proc/self/cgroup ("/" inside a container's namespace):
  // v2's is the `0::` line, v1's the line that names the controller (`4:cpu,cpuacct:/path`).
  const groups = read('/proc/self/cgroup') ?? '';
  const under = (root: string, pattern: RegExp) => {
    const group = pattern.exec(groups)?.[1] ?? '/';
    return group === '/' ? root : `${root}${group}`;
  };
  const dir = under('/sys/fs/cgroup', /^0::(\/.*)$/m);
  const v2 = read(`${dir}/cpu.max`)?.trim().split(/\s+/);
  if (v2) {
    const [quota, period] = v2.map(Number);
    if (v2[0] === 'max' || !(Number(quota) > 0 && Number(period) > 0)) return undefined;
    return {
      cores: Number(quota) / Number(period),
      usedMicros: () => Number(/^usage_usec (\d+)$/m.exec(read(`${dir}/cpu.stat`) ?? '')?.[1] ?? Number.NaN),
    };
  }
  const cpu = under('/sys/fs/cgroup/cpu', /^\d+:(?:[^:]*,)?cpu(?:,[^:]*)?:(\/.*)$/m);
  const cpuacct = under('/sys/fs/cgroup/cpuacct', /^\d+:(?:[^:]*,)?cpuacct(?:,[^:]*)?:(\/.*)$/m);
  const quota = Number(read(`${cpu}/cpu.cfs_quota_us`));
  const period = Number(read(`${cpu}/cpu.cfs_period_us`));
  if (!(quota > 0 && period > 0)) return undefined;
  return { cores: quota / period, usedMicros: () => Number(read(`${cpuacct}/cpuacct.usage`)) / 1000 };
}

/**
 * The busy share of CPU over the last interval (250 ms by default), sampled on an unref'd timer: the
 * whole machine's from `os.cpus()`, and under a CPU quota also this cgroup's use of its quota,
 * whichever is higher. A new environment costs a cold start of CPU; with no idle CPU it adds an
 * isolate to share the same cores, not capacity, so the Lambda service waits longer for a busy one first.
 */
export class SystemCpuLoad implements CpuLoad {
  private last: { idle: number; total: number; quotaMicros: number; at: number };
  private busyShare = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly quota: ReturnType<typeof cgroupCpuQuota>;
  private readonly now: () => number;
  private readonly read: () => CpuInfo[];
  readonly cores: number;

  /** The sources default to this machine's; tests give their own (`quota: undefined` for none). */
  constructor(
    private readonly threshold = 0.9,
    intervalMs = 250,
    options: { read?: () => CpuInfo[]; parallelism?: number; quota?: ReturnType<typeof cgroupCpuQuota>; now?: () => number } = {},
  ) {
    if (!(threshold > 0 && threshold <= 1)) throw new Error(`the saturation threshold is a share of the CPU in (0, 1], got ${String(threshold)}`);
    this.read = options.read ?? cpus;
    this.quota = 'quota' in options ? options.quota : cgroupCpuQuota();
    this.now = options.now ?? (() => performance.now());
    const parallelism = options.parallelism ?? availableParallelism();
    this.cores = this.quota ? Math.max(1, Math.min(parallelism, Math.ceil(this.quota.cores))) : parallelism;
    this.last = this.snapshot();
    this.timer = setInterval(() => {
      this.sample();
    }, intervalMs);
    this.timer.unref();
  }

  private snapshot(): { idle: number; total: number; quotaMicros: number; at: number } {
    return { ...ticks(this.read), quotaMicros: this.quota?.usedMicros() ?? Number.NaN, at: this.now() };
  }

  /** Takes a sample now: the busy share since the previous one. The timer calls it; tests may too. */
  sample(): void {
    const now = this.snapshot();
    const total = now.total - this.last.total;
    // A platform that reports no ticks (or a counter that went backwards) says nothing: not saturated.
    const machine = total > 0 ? Math.max(0, 1 - (now.idle - this.last.idle) / total) : 0;
    const capacityMicros = (this.quota?.cores ?? 0) * (now.at - this.last.at) * 1000;
    const used = now.quotaMicros - this.last.quotaMicros;
    // An unreadable usage counter (NaN) or an empty interval leaves the machine's share alone.
    const ofQuota = capacityMicros > 0 && used >= 0 ? used / capacityMicros : 0;
    this.busyShare = Math.max(machine, ofQuota);
    this.last = now;
  }

  saturated(): boolean {
    return this.busyShare >= this.threshold;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
