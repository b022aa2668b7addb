import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { type FromEnvironment, type ToEnvironment, toErrorPayload } from './protocol';

/*
 * Runs inside one execution environment (a worker thread with its own process.env). Loads the
 * function's bundle once (the cold start), then serves one invocation at a time, like Lambda.
 */

interface BootstrapData {
  bundlePath: string;
  handlerName: string;
}

type Handler = (event: unknown, context: Record<string, unknown>) => unknown;

const port = parentPort;
if (!port) throw new Error('environment-bootstrap must run in a worker thread');
const { bundlePath, handlerName } = workerData as BootstrapData;

function send(message: FromEnvironment): void {
  port?.postMessage(message);
}

const memoryMb = () => Math.ceil(getHeapStatistics().used_heap_size / (1024 * 1024));

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
  if (!handler) return;
  const loadedHandler = handler;
  const { id, event, context, delayMs } = message;
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
  };
  new Promise((resolve) => setTimeout(resolve, delayMs ?? 0))
    .then(() => loadedHandler(event, lambdaContext))
    .then(
      (payload) => {
        send({ type: 'result', id, ok: true, payload: payload === undefined ? null : payload, maxMemoryUsedMb: memoryMb() });
      },
      (error: unknown) => {
        send({ type: 'result', id, ok: false, error: toErrorPayload(error), maxMemoryUsedMb: memoryMb() });
      },
    );
});
