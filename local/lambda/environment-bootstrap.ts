import { writeSync } from 'node:fs';
import { builtinModules, createRequire, registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { startCpuProfile } from '../profiler';
import { type FromEnvironment, serializeResult, type ToEnvironment, toErrorPayload } from './protocol';

/*
 * Runs inside one execution environment (a worker thread with its own process.env). Loads the
 * function's bundle once (the cold start), then serves one invocation at a time, like Lambda.
 */

interface BootstrapData {
  bundlePath: string;
  handlerName: string;
  /** Set by `npm start -- --cpu-prof`: profile this environment and write the profile on shutdown. */
  cpuProfile?: { dir: string; name: string };
  /** The descriptor the function's stdout goes to: 1, or 2 for `npm run invoke`, whose stdout carries only the result. */
  stdoutFd?: number;
  /** The packages the function's Layers supply, by name (local/lambda/layers.ts). */
  layerModules: Record<string, string>;
}

type Handler = (event: unknown, context: Record<string, unknown>) => unknown;

const port = parentPort;
if (!port) throw new Error('environment-bootstrap must run in a worker thread');
const { bundlePath, handlerName, cpuProfile, stdoutFd = 1, layerModules } = workerData as BootstrapData;
const profiling = cpuProfile ? startCpuProfile(cpuProfile.dir, cpuProfile.name) : undefined;

function send(message: FromEnvironment): void {
  port?.postMessage(message);
}

/**
 * Function output goes straight to the runtime's stdout/stderr file descriptors from this thread,
 * as a Lambda environment writes its own logs: relaying every line through the runtime's main
 * thread made that thread write synchronously for all environments (15% of it under load).
 */
function writeToFd(fd: number, chunk: unknown): boolean {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk));
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // A full non-blocking pipe: wait for the reader rather than drop log lines.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
  return true;
}
for (const [stream, fd] of [[process.stdout, stdoutFd], [process.stderr, 2]] as const) {
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    writeToFd(fd, chunk);
    const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  });
}

const memoryMb = () => Math.ceil(getHeapStatistics().used_heap_size / (1024 * 1024));

/** Packages the nodejs24.x runtime itself provides (/var/runtime/node_modules): the AWS SDK for JavaScript v3. */
const RUNTIME_PACKAGES = /^@(aws-sdk|smithy|aws-crypto)\//;
const BUILTINS = new Set(builtinModules);

/** `stripe` for `stripe`, `stripe/cjs/x.js`; `@scope/name` for `@scope/name/x`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/*
 * The bundle's own requires of packages it left External resolve as on Lambda, where the function's
 * directory (/var/task) has no node_modules: from its layers (/opt/nodejs/node_modules on NODE_PATH)
 * or the runtime's AWS SDK, and nowhere else. Without this they would find the project's
 * node_modules above the build directory, so a function without the Stripe layer would load Stripe
 * here and fail on Lambda. Requires made inside a package resolve as Node does.
 */
const bundleUrl = pathToFileURL(bundlePath).href;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (context.parentURL !== bundleUrl || /^(\.|\/|[a-z]+:)/i.test(specifier) || BUILTINS.has(specifier)) return nextResolve(specifier, context);
    const name = packageName(specifier);
    const nodeModules = layerModules[name];
    // Resolved from beside that node_modules directory, which finds the package there first (the
    // default require resolution follows the requiring module, not a parentURL passed on).
    if (nodeModules !== undefined) return { url: pathToFileURL(createRequire(join(dirname(nodeModules), 'layer.js')).resolve(specifier)).href, shortCircuit: true };
    if (RUNTIME_PACKAGES.test(name)) return nextResolve(specifier, context);
    throw Object.assign(new Error(`Cannot find module '${specifier}': it is not in the bundle, in the function's Layers, or in the Lambda runtime (its AWS SDK)`), {
      code: 'MODULE_NOT_FOUND',
    });
  },
});

let handler: Handler | undefined;
const initStarted = performance.now();
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is CJS and its path is only known at run time
  const loaded = require(bundlePath) as Record<string, unknown>;
  const candidate = loaded[handlerName];
  if (typeof candidate !== 'function') throw Object.assign(new Error(`${handlerName} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  handler = candidate as Handler;
  send({ type: 'ready', initMs: performance.now() - initStarted });
} catch (error) {
  send({ type: 'initError', error: toErrorPayload(error) });
}

port.on('message', (message: ToEnvironment) => {
  if (message.type === 'shutdown') {
    void (profiling ?? Promise.resolve(undefined))
      .then((stop) => stop?.())
      .finally(() => process.exit(0));
    return;
  }
  if (!handler) return;
  const loadedHandler = handler;
  const { id, eventJson, context, delayMs } = message;
  const event: unknown = JSON.parse(eventJson);
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
  };
  // Only injected latency waits on a timer: a zero-delay setTimeout still costs a turn of the event
  // loop (Node clamps it to 1 ms), on every invocation.
  (delayMs ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve())
    .then(() => loadedHandler(event, lambdaContext))
    .then(
      (payload: unknown) => {
        const result = serializeResult(payload);
        send(result.ok ? { type: 'result', id, ok: true, payloadJson: result.json, maxMemoryUsedMb: memoryMb() } : { type: 'result', id, ok: false, error: result.error, maxMemoryUsedMb: memoryMb() });
      },
      (error: unknown) => {
        send({ type: 'result', id, ok: false, error: toErrorPayload(error), maxMemoryUsedMb: memoryMb() });
      },
    );
});
