import type { CpuInfo } from 'node:os';
import { SystemCpuLoad } from '../../../local/lambda/cpu-load';

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
  const load = new SystemCpuLoad(0.9, 60_000, cpu.read);
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
  const load = new SystemCpuLoad(0.9, 60_000, cpu.read);
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

it('counts the cores this process may run on', () => {
  const load = new SystemCpuLoad();
  try {
    expect(load.cores).toBeGreaterThanOrEqual(1);
  } finally {
    load.close();
  }
});
