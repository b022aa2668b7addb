import { spawnSync } from 'node:child_process';
import type { LocalFunction } from '../../local/template/local-template';

/** What a bundle evaluated while it was required (its init), in a fresh Node process. */
export interface InitLoads {
  /** node:crypto was loaded. */
  crypto: boolean;
  /** A semver module ran: with NODE_DEBUG=semver, semver 5 and 7 log each pattern they compile at load. */
  semver: boolean;
  /** The X-Ray SDK's context namespace exists (the Tracer is on), so a semver check of a traced bundle is not vacuous. */
  xray: boolean;
  /** node:dgram was loaded: the X-Ray SDK's UDP emitter to the daemon. */
  dgram: boolean;
}

/**
 * Lambda's environment for `fn` as a deployed function sees it: AWS_EXECUTION_ENV set (so the
 * Tracer is on) and the prod stage's log sampling rate, with the template's other variables.
 */
export function deployedEnvironment(fn: LocalFunction, taskRoot: string): Record<string, string> {
  return {
    ...fn.environment,
    POWERTOOLS_LOGGER_SAMPLE_RATE: '0.02',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'init-check',
    AWS_SECRET_ACCESS_KEY: 'init-check',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    LAMBDA_TASK_ROOT: taskRoot,
  };
}

/** Requires `modulePath` in a fresh Node process with `environment` and reports what its init loaded. */
export function initLoads(modulePath: string, environment: Record<string, string>): InitLoads {
  // From stdin, not with -e: Node 24's `node -e` loads node:crypto before a script that contains the word crypto (measured).
  const script = `require(${JSON.stringify(modulePath)}); process.stdout.write('\\n' + JSON.stringify({ crypto: process.moduleLoadList.includes('NativeModule crypto'), xray: Boolean(process.namespaces && process.namespaces.AWSXRay), dgram: process.moduleLoadList.includes('NativeModule dgram') }))`;
  const run = spawnSync(process.execPath, ['-'], { input: script, env: { PATH: process.env.PATH ?? '', ...environment, NODE_DEBUG: 'semver' }, encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`requiring ${modulePath} failed (${String(run.status ?? run.signal)}): ${run.stderr}`);
  // semver's debug lines go to stdout (semver 5) or stderr (semver 7), and with the prod sampling rate
  // 2% of processes print the Logger's "Setting log level to DEBUG due to sampling rate": the report is the last line of stdout.
  const report = JSON.parse(run.stdout.trimEnd().split('\n').pop() ?? '{}') as Omit<InitLoads, 'semver'>;
  return { ...report, semver: /^SEMVER/m.test(run.stdout) || /^SEMVER/m.test(run.stderr) };
}
