import { type ChildProcess, spawn } from 'node:child_process';
import { RUNTIME_NODE_FLAG } from '../../local/storage/storage';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeInfo } from '../../local/runtime';
import { ROOT } from './template';

export interface LocalRuntimeProcess {
  info: RuntimeInfo;
  stateDir: string;
  /** Everything the runtime printed so far. */
  output(): string;
  /** SIGTERM (a clean drain) or SIGKILL, then waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /**
   * When a runtime.json was left behind (a killed runtime's), whether the new runtime removed it
   * while it started (seen absent before the new one appeared); undefined when there was none.
   */
  staleInfoRemoved?: boolean;
}

/** The pid in a runtime.json, or undefined when there is none (or it is being replaced). */
function infoPid(path: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as RuntimeInfo).pid;
  } catch {
    return undefined;
  }
}

/**
 * Parameter overrides that raise the usage plan's throttle and quota far above what a run on one
 * machine reaches, so a benchmark or the reliability suite measures the runtime rather than the API
 * key's token bucket (the deployed defaults, docs/deploy.md, answer 429 within a second at these loads).
 */
export const UNTHROTTLED_OVERRIDES = 'ApiThrottleRateLimit=100000 ApiThrottleBurstLimit=100000 ApiQuotaLimit=100000000';

/** A fresh state directory under the OS temp dir. */
export function newStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'order-runtime-'));
}

/**
 * Starts `npm start`'s entry point as a child process on free ports, and resolves once its
 * runtime.json appears. Fails with the runtime's output if it does not start within the deadline.
 */
export async function startLocalRuntime(
  stateDir: string,
  options: {
    fresh?: boolean;
    faults?: boolean;
    meter?: boolean;
    parameterOverrides?: string;
    /** Bind address (npm start -- --host). */
    host?: string;
    /** npm start -- --strict: refuse a template with anything not emulated. */
    strict?: boolean;
    deadlineMs?: number;
    onOutput?: (chunk: string) => void;
    /** Keep everything printed for output() (default); a long benchmark streams it to onOutput only. */
    retainOutput?: boolean;
    /** More npm start flags. Without --watch here, the runtime runs with --no-watch: a test or benchmark edits no sources. */
    args?: string[];
  } = {},
): Promise<LocalRuntimeProcess> {
  // The node flag npm start passes (package.json), so what is measured is what users run.
  const args = [RUNTIME_NODE_FLAG, 'local/main.ts', '--state-dir', stateDir, '--port-api', '0', '--port-lambda', '0', '--port-sfn', '0', '--port-dynamodb', '0', '--port-s3', '0', '--port-console', '0', '--port-eventbridge', '0', '--port-sqs', '0', '--port-dynamodb-streams', '0', '--port-websocket', '0', '--port-secretsmanager', '0'];
  if (options.fresh) args.push('--fresh');
  if (options.faults) args.push('--faults');
  if (options.meter) args.push('--meter');
  if (options.parameterOverrides) args.push('--parameter-overrides', options.parameterOverrides);
  if (options.host) args.push('--host', options.host);
  if (options.strict) args.push('--strict');
  args.push(...(options.args ?? []));
  if (!args.includes('--watch')) args.push('--no-watch');
  const infoPath = join(stateDir, 'runtime.json');
  // A runtime killed with SIGKILL leaves its runtime.json behind: only one with another pid means
  // ready. The runtime removes the stale one itself as it starts, which is watched for, not done here.
  const stalePid = infoPid(infoPath);
  let staleInfoRemoved = false;
  const bin = join(ROOT, 'node_modules', '.bin');
  const child: ChildProcess = spawn(join(bin, 'tsx'), args, {
    cwd: ROOT,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const retain = options.retainOutput ?? true;
  let ready = false;
  const collect = (chunk: Buffer) => {
    // Start-up output is always kept: it explains a runtime that fails to start.
    if (retain || !ready) output += chunk.toString();
    options.onOutput?.(chunk.toString());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      // A runtime that dies on its own takes every later request with it: say why, once.
      if (!stopping) console.error(`The local runtime exited unexpectedly (code ${String(code)}, signal ${String(signal)}):\n${output}`);
      resolve();
    }),
  );

  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  for (;;) {
    const pid = infoPid(infoPath);
    if (stalePid !== undefined && !existsSync(infoPath)) staleInfoRemoved = true;
    // Ready once runtime.json is written and the banner printed after it has come through the pipe
    // (tests read the banner's lines; its last one is the curl hint).
    if (pid !== undefined && pid !== stalePid && output.includes('  Try: curl ')) {
      const info = JSON.parse(readFileSync(infoPath, 'utf8')) as RuntimeInfo;
      ready = true;
      return {
        info,
        stateDir,
        ...(stalePid === undefined ? {} : { staleInfoRemoved }),
        output: () => output,
        // tsx runs the runtime in a child node process: signal that process (info.pid) directly.
        stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
          stopping = true;
          if (child.exitCode === null && child.signalCode === null) {
            try {
              process.kill(info.pid, signal);
            } catch {
              child.kill('SIGKILL');
            }
          }
          await exited;
        },
      };
    }
    if (child.exitCode !== null) throw new Error(`The local runtime exited with ${String(child.exitCode)}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The local runtime did not start in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Makes the next `count` invocations of a function crash or time out, through the fault endpoint
 * of a runtime started with `faults: true` (local/http-endpoints.ts).
 */
export async function injectLambdaFault(runtime: LocalRuntimeProcess, functionName: string, kind: 'crash' | 'timeout', count: number): Promise<void> {
  const response = await fetch(`${runtime.info.endpoints.lambda}/_local/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ function: functionName, kind, count }),
  });
  if (response.status !== 202) throw new Error(`Fault injection refused (${String(response.status)}): ${await response.text()}`);
}
