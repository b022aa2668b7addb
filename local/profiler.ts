import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * Starts the V8 CPU profiler on the current thread and returns a function that stops it and
 * writes `<dir>/<name>.cpuprofile` (open it in Chrome DevTools or speedscope). Worker threads
 * are profiled this way because `--cpu-prof` skips threads that are terminated.
 */
export async function startCpuProfile(dir: string, name: string): Promise<() => Promise<string>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const path = join(dir, `${name}.cpuprofile`);
    writeFileSync(path, JSON.stringify(profile));
    return path;
  };
}
