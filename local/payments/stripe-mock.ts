import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/*
 * stripe-mock, Stripe's official mock server (it validates every request against Stripe's OpenAPI
 * spec and answers with fixtures; it never declines). A Go binary: .ci/run installs it into
 * .tools/bin; the contract tests and `npm start -- --parameter-overrides PaymentProvider=stripe`
 * start it on a free loopback port.
 */

export const STRIPE_MOCK_VERSION = 'v0.203.0';
export const STRIPE_MOCK_INSTALL = `GOBIN="$PWD/.tools/bin" go install github.com/stripe/stripe-mock@${STRIPE_MOCK_VERSION}`;

/** stripe-mock is not installed where we look. */
export class StripeMockNotInstalled extends Error {
  override name = 'StripeMockNotInstalled';
  constructor(root: string) {
    super(
      `stripe-mock is not installed (looked at $STRIPE_MOCK_BIN, ${join(root, '.tools', 'bin', 'stripe-mock')} and PATH). ` +
        `Install it from the project root with: ${STRIPE_MOCK_INSTALL}  (needs Go; about 40 s through the Go module proxy)`,
    );
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The stripe-mock binary: $STRIPE_MOCK_BIN, then <root>/.tools/bin, then PATH. */
export function findStripeMock(root: string): string | undefined {
  const candidates = [
    process.env.STRIPE_MOCK_BIN,
    join(root, '.tools', 'bin', 'stripe-mock'),
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'stripe-mock')),
  ];
  return candidates.find((path): path is string => path !== undefined && path !== '' && executable(path));
}

export interface StripeMock {
  /** e.g. http://127.0.0.1:40123, for STRIPE_API_BASE_URL. */
  url: string;
  stop(): Promise<void>;
}

/** Starts stripe-mock on a free loopback port; rejects with StripeMockNotInstalled when there is no binary. */
export async function startStripeMock(root: string, { readyWithinMs = 30_000 } = {}): Promise<StripeMock> {
  const binary = findStripeMock(root);
  if (!binary) throw new StripeMockNotInstalled(root);
  // An empty port lets the system choose one; stripe-mock prints the address it bound. The shell
  // stops stripe-mock when its stdin closes: on stop(), and when this process dies, even by SIGKILL
  // (the chaos suite kills the runtime), so no stripe-mock outlives the process that started it.
  const child = spawn('sh', ['-c', '"$0" -http-addr 127.0.0.1: & mock=$!; while read -r _; do :; done; kill "$mock" 2>/dev/null; wait "$mock"', binary], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.stdin.end();
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      reject(new Error(`stripe-mock (${binary}) ${reason}; its output:\n${output}`));
    };
    const timer = setTimeout(() => {
      fail(`did not report a listening address within ${String(readyWithinMs)} ms`);
    }, readyWithinMs);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const address = /Listening for HTTP at address: (\S+):(\d+)/.exec(output);
      if (address) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${address[2] ?? ''}`);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', (error) => {
      fail(`could not start: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      fail(`exited before listening (code ${String(code)}, signal ${String(signal)})`);
    });
  });
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  child.removeAllListeners('exit');
  return { url, stop: () => stop(child) };
}

async function stop(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
  });
}
