import { newStateDir, startLocalRuntime } from '../tests/support/local-runtime';
import { RuntimeClients } from '../tests/support/runtime-clients';
import { idleMemoryRow, soakSuite } from './load';
import { summaryTable } from './summary';

/*
 * The memory soak alone, at any length (outside CI): `npx tsx reliability/soak.ts --minutes 20
 * --rate 15`. Starts a runtime with the reliability suite's usage plan, checks idle memory, then
 * soaks and prints the same rows the suite does. Exits non-zero if a bound did not hold.
 */
const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  const value = index < 0 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
};

async function main(): Promise<number> {
  const seconds = Math.round(argument('minutes', 5) * 60);
  const rate = argument('rate', 15);
  // Once a minute the runtime logs which V8 isolates hold what (its SIGUSR2 report): printed here, to find what grows.
  const runtime = await startLocalRuntime(newStateDir(), {
    fresh: true,
    retainOutput: false,
    parameterOverrides: 'ApiThrottleRateLimit=20 ApiThrottleBurstLimit=40',
    onOutput: (chunk) => {
      for (const line of chunk.split('\n')) if (line.includes('memory: rss')) console.error(line.slice(0, 400));
    },
  });
  const heapReport = setInterval(() => process.kill(runtime.info.pid, 'SIGUSR2'), 60_000);
  const clients = new RuntimeClients(runtime.info);
  try {
    const rows = [await idleMemoryRow(runtime.info.pid, 400), ...(await soakSuite(clients, seconds, rate))];
    console.log(summaryTable(rows));
    return rows.every((row) => row.held) ? 0 : 1;
  } finally {
    clearInterval(heapReport);
    clients.close();
    await runtime.stop('SIGTERM');
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
