import type { CpuInfo } from 'node:os';
import { cgroupCpuQuota, SystemCpuLoad } from '../../../local/lambda/cpu-load';

/** Two cores whose counters the test advances: `busy` and `idle` ticks per core per step. */
function counters() {
  const times = [0, 1].map(() => ({ user: 0, nice: 0, sys: 0, idle: 0, irq: 0 }));
  return {
    read: (): CpuInfo[] => times.map((each) => ({ model: 'test', speed: 0, times: { ...each } })),
    advance(busy: number, idle: number) {
      for (const each of times) {
        each.user += busy;
        each.idle += idle;
      }
    },
  };
}

it('is saturated when the last interval left the cores less idle time than the threshold allows', () => {
  const cpu = counters();
  const load = new SystemCpuLoad(0.9, 60_000, { read: cpu.read, quota: undefined });
  try {
    expect(load.saturated()).toBe(false);
    cpu.advance(95, 5);
    load.sample();
    expect(load.saturated()).toBe(true);
    // Only the last interval counts, not the average since start-up.
    cpu.advance(50, 50);
    load.sample();
    expect(load.saturated()).toBe(false);
    cpu.advance(90, 10);
    load.sample();
    expect(load.saturated()).toBe(true);
  } finally {
    load.close();
  }
});

it('says nothing (not saturated) over an interval with no ticks', () => {
  const cpu = counters();
  const load = new SystemCpuLoad(0.9, 60_000, { read: cpu.read, quota: undefined });
  try {
    cpu.advance(100, 0);
    load.sample();
    expect(load.saturated()).toBe(true);
    load.sample();
    expect(load.saturated()).toBe(false);
  } finally {
    load.close();
  }
});

it('refuses a threshold that is not a share of the CPU', () => {
  for (const threshold of [0, -0.5, 1.5, Number.NaN]) expect(() => new SystemCpuLoad(threshold)).toThrow('the saturation threshold is a share of the CPU in (0, 1]');
});

it('counts the cores this process may run on, and no more than its CPU quota allows', () => {
  const unlimited = new SystemCpuLoad(0.9, 60_000, { read: counters().read, parallelism: 8, quota: undefined });
  const limited = new SystemCpuLoad(0.9, 60_000, { read: counters().read, parallelism: 8, quota: { cores: 1.5, usedMicros: () => 0 } });
  const wide = new SystemCpuLoad(0.9, 60_000, { read: counters().read, parallelism: 2, quota: { cores: 6, usedMicros: () => 0 } });
  try {
    expect([unlimited.cores, limited.cores, wide.cores]).toEqual([8, 2, 2]);
  } finally {
    for (const load of [unlimited, limited, wide]) load.close();
  }
});

it('is saturated when the cgroup used its CPU quota, however idle the machine is', () => {
  const cpu = counters();
  let usedMicros = 0;
  let now = 0;
  // One core of quota on a machine whose (host) cores are mostly idle.
  const load = new SystemCpuLoad(0.9, 60_000, { read: cpu.read, parallelism: 2, quota: { cores: 1, usedMicros: () => usedMicros }, now: () => now });
  try {
    cpu.advance(20, 80);
    usedMicros += 240_000;
    now += 250;
    load.sample();
    expect(load.saturated()).toBe(true); // 240 ms of CPU in 250 ms on a 1-core quota
    cpu.advance(20, 80);
    usedMicros += 100_000;
    now += 250;
    load.sample();
    expect(load.saturated()).toBe(false);
  } finally {
    load.close();
  }
});

describe('cgroupCpuQuota', () => {
  const files = (entries: Record<string, string>) => (path: string) => entries[path];

  it('reads cgroup v2: cpu.max and usage_usec in cpu.stat', () => {
    const quota = cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n', '/sys/fs/cgroup/cpu.stat': 'usage_usec 1234567\nuser_usec 1000000\n' }));
    expect(quota?.cores).toBe(1.5);
    expect(quota?.usedMicros()).toBe(1_234_567);
  });

  it("reads cgroup v2 in the process's own group, outside a container", () => {
    const quota = cgroupCpuQuota(files({ '/proc/self/cgroup': '0::/system.slice/dev.service\n', '/sys/fs/cgroup/system.slice/dev.service/cpu.max': '50000 100000\n', '/sys/fs/cgroup/system.slice/dev.service/cpu.stat': 'usage_usec 42\n' }));
    expect(quota?.cores).toBe(0.5);
    expect(quota?.usedMicros()).toBe(42);
  });

  it('reads cgroup v1: cfs quota over period, and cpuacct.usage in ns', () => {
    const quota = cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '200000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n', '/sys/fs/cgroup/cpuacct/cpuacct.usage': '5000000\n' }));
    expect(quota?.cores).toBe(2);
    expect(quota?.usedMicros()).toBe(5000);
  });

  it("reads cgroup v1 in the process's own group, whichever line names the controllers", () => {
    const quota = cgroupCpuQuota(
      files({
        '/proc/self/cgroup': '5:memory:/other\n4:cpu,cpuacct:/user.slice/dev\n',
        '/sys/fs/cgroup/cpu/user.slice/dev/cpu.cfs_quota_us': '300000\n',
        '/sys/fs/cgroup/cpu/user.slice/dev/cpu.cfs_period_us': '100000\n',
        '/sys/fs/cgroup/cpuacct/user.slice/dev/cpuacct.usage': '7000\n',
      }),
    );
    expect(quota?.cores).toBe(3);
    expect(quota?.usedMicros()).toBe(7);
  });

  it('finds no quota where there is none', () => {
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBeUndefined();
    expect(cgroupCpuQuota(files({}))).toBeUndefined();
  });
});
