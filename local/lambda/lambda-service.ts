import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { LocalFunction } from '../template/local-template';
import { type CpuLoad, SystemCpuLoad } from './cpu-load';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from './payload-limits';
import type { FromEnvironment, InvokeContext, LambdaErrorPayload, ToEnvironment } from './protocol';
import { type LayerModules, functionLayerModules } from './layers';

/**
 * `refused` marks an invocation Lambda turned down before the function ran (its
 * InvalidRequestContentException, a 400 on the Invoke API), apart from the function's own errors.
 */
export type InvokeResult =
  | { ok: true; payload: unknown; requestId: string }
  | { ok: false; error: LambdaErrorPayload; requestId: string; refused?: true };

/** What the API Gateway and Step Functions emulations need from Lambda (tests pass fakes). */
export interface LambdaInvoker {
  /** A function by logical id, name, ARN or alias ARN. */
  find(nameOrArn: string): LocalFunction | undefined;
  invoke(nameOrArn: string, event: unknown): Promise<InvokeResult>;
}

export interface LambdaServiceOptions {
  /** Variables added to every function's environment (endpoints, credentials). */
  sharedEnvironment: Record<string, string>;
  /**
   * Most concurrent environments of a function without ReservedConcurrentExecutions (which is its
   * cap when set). Environments are created only when every existing one is busy, so a high cap
   * costs nothing at idle; Lambda's own default is the account's 1,000.
   */
  maxConcurrencyPerFunction: number;
  /** Where REPORT lines and function output go. */
  log: (line: string) => void;
  /**
   * Most environments alive across all functions: the machine's stand-in for the account's
   * concurrency (1,000 on AWS). Unset, only the per-function caps apply.
   */
  maxEnvironments?: number;
  /**
   * Most environments alive across the functions no API route reaches (Step Functions tasks and
   * other background callers, which queue rather than time out), beyond the one each of them may
   * always have. Under CPU saturation every call
   * outlasts the spawn grace, so without this the task functions each grew toward their cap,
   * adding isolates but no throughput; API functions stay outside it, so a burst of tasks never
   * delays a client. Unset, only the other caps apply.
   */
  maxBackgroundEnvironments?: number;
  /**
   * Functions that serve clients without a REST route (a WebSocket API's routes and authorizer):
   * outside the background budget, like the API functions. ARNs or logical ids.
   */
  clientFacing?: string[];
  /** How long a call waits for a busy environment before a new one is created (below the cap); default 100 ms. */
  spawnGraceMs?: number;
  /**
   * The same wait while the machine's CPU is saturated and the function already has an environment
   * per core (default 1,000 ms). A new environment costs a cold start of CPU and then shares the same
   * cores: under load it adds isolates, not capacity, and a burst of short calls grew a function to its
   * cap. Calls that hold an environment longer than this (Prefer: wait) still get new ones.
   */
  saturatedSpawnGraceMs?: number;
  /** Whether the CPU is saturated; by default the whole machine's (or, under a CPU quota, the cgroup's), sampled every 250 ms (`SystemCpuLoad`). */
  cpuLoad?: CpuLoad;
  /** Idle environments beyond the first per function are shut down after this long, as Lambda reclaims them. */
  idleTimeoutMs?: number;
  /** Lambda's limit on the init phase (10 s); the init it then retries within the invoke has the function's Timeout. */
  initTimeoutMs?: number;
  /** Profile every execution environment into this directory (`npm start -- --cpu-prof`). */
  cpuProfileDir?: string;
  /** Send the functions' stdout to stderr, as `sam local invoke` does, so stdout carries only the result. */
  functionOutputToStderr?: boolean;
  /** Each function's layer packages by logical id, when the caller has already checked them; otherwise checked here. */
  layerModules?: ReadonlyMap<string, LayerModules>;
}

interface Environment {
  worker: Worker;
  ready: Promise<number>;
  busy: boolean;
  lastUsed: number;
  initMs?: number;
  reported: boolean;
  /** Running code or configuration that has since been replaced: it finishes its invocation, then shuts down. */
  retired?: boolean;
}

/** Lambda's answer to a payload it will not pass to the function. */
function refused(requestId: string, reason: string): InvokeResult & { ok: false } {
  return { ok: false, requestId, refused: true, error: { errorType: 'InvalidRequestContentException', errorMessage: `Could not pass the request to the function: ${reason}`, trace: [] } };
}

/** Lambda's answer to an invocation that outlived its Timeout (`detail` says when it was the init that did). */
function timedOutPayload(fn: LocalFunction, requestId: string, detail = ''): LambdaErrorPayload {
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds${detail}`, trace: [] };
}

/** Faults the chaos suite injects into a function's next invocations. */
export type FaultKind = 'crash' | 'timeout';

interface Pending {
  resolve: (result: InvokeResult) => void;
  requestId: string;
  started: number;
  timer: NodeJS.Timeout;
}

/**
 * Runs each function in isolated execution environments (worker threads with their own
 * process.env and heap limit), reuses warm ones, adds environments for concurrent calls,
 * enforces Timeout as Sandbox.Timedout, and prints a Lambda-style REPORT line per invoke.
 */
export class LambdaService implements LambdaInvoker {
  private readonly pools = new Map<string, Environment[]>();
  private readonly waiting = new Map<string, (() => void)[]>();
  /** Calls waiting because every function together is at `maxEnvironments` with none idle. */
  private readonly budgetWaiters: (() => void)[] = [];
  /** Busy environments taken out of their pool by replaceFunction: shut down when their invocation ends. */
  private readonly retiring = new Set<Environment>();
  private readonly byArn = new Map<string, LocalFunction>();
  /** Each function's layer packages, checked once (here, or by the caller) so that a layer the runtime cannot supply stops start-up. */
  private readonly layerModules = new Map<string, LayerModules>();
  private readonly clientFacing = new Set<string>();
  private nextId = 1;
  private spawned = 0;
  private closed = false;
  private readonly reaper: NodeJS.Timeout;
  private readonly cpuLoad: CpuLoad;
  private readonly faults = new Map<string, { kind: FaultKind; remaining: number }[]>();
  /** Faults injected so far, by function and kind. */
  readonly injected: Record<string, number> = {};

  constructor(
    private readonly functions: LocalFunction[],
    private readonly bundles: Map<string, string>,
    private readonly bootstrapPath: string,
    private readonly options: LambdaServiceOptions,
  ) {
    const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.reaper = setInterval(() => {
      this.reapIdle(idleTimeoutMs);
    }, Math.min(idleTimeoutMs, 10_000));
    this.reaper.unref();
    this.cpuLoad = options.cpuLoad ?? new SystemCpuLoad();
    for (const fn of functions) {
      this.layerModules.set(fn.logicalId, options.layerModules?.get(fn.logicalId) ?? functionLayerModules(fn.layers));
      this.byArn.set(fn.logicalId, fn);
      this.byArn.set(fn.arn, fn);
      if (fn.aliasArn) this.byArn.set(fn.aliasArn, fn);
    }
    for (const name of options.clientFacing ?? []) {
      const fn = this.find(name);
      if (fn) this.clientFacing.add(fn.logicalId);
    }
  }

  /** The layer packages a function's new environments resolve (checked when set). */
  layerModulesOf(logicalId: string): LayerModules | undefined {
    return this.layerModules.get(logicalId);
  }

  /** A function by logical id, name, ARN or alias ARN. */
  find(nameOrArn: string): LocalFunction | undefined {
    return this.byArn.get(nameOrArn) ?? this.byArn.get(nameOrArn.replace(/:(\$LATEST|live)$/, ''));
  }

  /** The environment a function sees: its template Environment plus the runtime's shared variables. */
  environmentOf(fn: LocalFunction): Record<string, string> {
    // The runtime's values win, as an env.json does for sam local: the template declares the endpoint variables empty.
    return {
      ...fn.environment,
      ...this.options.sharedEnvironment,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      LAMBDA_TASK_ROOT: '/var/task',
      _HANDLER: fn.handler,
      TZ: 'UTC',
    };
  }

  private spawn(fn: LocalFunction): Environment {
    const bundlePath = this.bundles.get(fn.logicalId);
    if (!bundlePath) throw new Error(`${fn.logicalId} was not built`);
    const worker = new Worker(this.bootstrapPath, {
      env: this.environmentOf(fn),
      workerData: {
        bundlePath,
        handlerName: fn.handler.split('.').slice(1).join('.'),
        layerModules: this.layerModules.get(fn.logicalId) ?? {},
        ...(this.options.functionOutputToStderr ? { stdoutFd: 2 } : {}),
        ...(this.options.cpuProfileDir ? { cpuProfile: { dir: this.options.cpuProfileDir, name: `${fn.logicalId}-${String(++this.spawned)}` } } : {}),
      },
      // V8 grows each isolate's young generation to 3 × 16 MB under a steady allocation rate, so an
      // environment's heap went from 37 to 55 MB during a soak (used stayed near 23 MB); with a few
      // dozen environments that was most of the growth. 8 MB costs more scavenges, each short.
      // 8 MB is 4 MB semi-spaces, as RUNTIME_NODE_FLAG gives: V8 applies that process-wide flag over
      // resourceLimits, so under npm start a larger size here would change nothing (docs/performance.md).
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb, maxYoungGenerationSizeMb: 8 },
      stdout: false,
      stderr: false,
    });
    const environment: Environment = { worker, busy: true, reported: false, ready: Promise.resolve(0), lastUsed: Date.now() };
    environment.ready = new Promise<number>((resolve, reject) => {
      const onMessage = (message: FromEnvironment) => {
        if (message.type === 'ready') {
          environment.initMs = message.initMs;
          worker.off('message', onMessage);
          resolve(message.initMs);
        } else if (message.type === 'initError') {
          worker.off('message', onMessage);
          reject(Object.assign(new Error(message.error.errorMessage), { payload: message.error }));
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    const pool = this.pools.get(fn.logicalId) ?? [];
    pool.push(environment);
    this.pools.set(fn.logicalId, pool);
    worker.once('exit', () => {
      this.pools.set(fn.logicalId, (this.pools.get(fn.logicalId) ?? []).filter((candidate) => candidate !== environment));
      this.wake(fn.logicalId);
    });
    return environment;
  }

  private wake(functionId: string): void {
    this.waiting.get(functionId)?.shift()?.();
    // After the function's own waiter (its continuation runs first), calls held at the budget look again.
    for (const resolve of this.budgetWaiters.splice(0)) resolve();
  }

  /**
   * An idle environment; else, below the function's concurrency cap, a new one if none frees up
   * within the spawn grace (longer while the CPU is saturated); else (at the cap) the next one to
   * free up. The grace keeps a busy pipeline on its warm environments, while a call that holds one
   * (Prefer: wait) still gets a new one. All functions together keep at most `maxEnvironments`, and
   * the background functions at most `maxBackgroundEnvironments`: at a full budget an idle
   * environment within it is shut down to make room, or the call waits for one to be released.
   */
  private async acquire(fn: LocalFunction): Promise<Environment> {
    const cap = fn.reservedConcurrency ?? this.options.maxConcurrencyPerFunction;
    const grace = this.options.spawnGraceMs ?? 100;
    const saturatedGrace = Math.max(grace, this.options.saturatedSpawnGraceMs ?? 1000);
    // How long this call has waited for a busy environment since it last lost a freed one to another call.
    let waited = 0;
    for (;;) {
      const pool = this.pools.get(fn.logicalId) ?? [];
      const idle = pool.find((environment) => !environment.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      const mayGrow = pool.length < cap;
      // Up to one environment per core, a function's calls run in parallel; beyond that, on a saturated CPU, they take turns.
      const limit = pool.length >= this.cpuLoad.cores && this.cpuLoad.saturated() ? saturatedGrace : grace;
      // A burst's waiters time out together: a function starts at most one environment per core at a
      // time, so the CPU the new ones cost shows in the load before more start.
      const starting = pool.filter((environment) => environment.initMs === undefined).length;
      if (mayGrow && (pool.length === 0 || (waited >= limit && starting < this.cpuLoad.cores))) {
        const full = this.fullBudget(fn);
        if (!full) return this.spawn(fn);
        // An API call, or a function with no environment yet, makes room by shutting an idle one;
        // a background function that has one waits for it instead (each eviction is a cold start).
        const makesRoom = pool.length === 0 || !this.isBackground(fn.logicalId);
        if (makesRoom && this.evictIdle(full)) return this.spawn(fn);
        await (makesRoom ? new Promise<void>((resolve) => this.budgetWaiters.push(resolve)) : this.nextRelease(fn.logicalId, undefined));
        continue;
      }
      // Woken by a release, the grace starts again; timed out, the next turn looks at the CPU (and at
      // the environments still starting) again.
      const timeout = !mayGrow ? undefined : waited < limit ? limit - waited : grace;
      waited = (await this.nextRelease(fn.logicalId, timeout)) ? 0 : Math.max(waited, limit);
    }
  }

  private environmentCount(which: (functionId: string) => boolean): number {
    let count = 0;
    for (const [functionId, pool] of this.pools) if (which(functionId)) count += pool.length;
    return count;
  }

  /** A function no client reaches: no REST route, and not one of `clientFacing`. */
  private isBackground(functionId: string): boolean {
    const fn = this.byArn.get(functionId);
    return fn !== undefined && fn.routes.length === 0 && !this.clientFacing.has(fn.logicalId);
  }

  /** Undefined if the budgets that apply to `fn` have room; else which functions' environments fill the budget that is full. */
  private fullBudget(fn: LocalFunction): ((functionId: string) => boolean) | undefined {
    const all = () => true;
    if (this.environmentCount(all) >= (this.options.maxEnvironments ?? Infinity)) return all;
    const background = (functionId: string) => this.isBackground(functionId);
    // Each background function may always have one, so no stage of a pipeline waits on another's queue.
    const hasOne = (this.pools.get(fn.logicalId)?.length ?? 0) > 0;
    if (this.isBackground(fn.logicalId) && hasOne && this.environmentCount(background) >= (this.options.maxBackgroundEnvironments ?? Infinity)) return background;
    return undefined;
  }

  /** Shuts down the least recently used idle environment of a function `which` accepts; false if none is idle. */
  private evictIdle(which: (functionId: string) => boolean): boolean {
    let oldest: { functionId: string; environment: Environment } | undefined;
    for (const [functionId, pool] of this.pools) {
      if (!which(functionId)) continue;
      for (const environment of pool) {
        if (!environment.busy && (!oldest || environment.lastUsed < oldest.environment.lastUsed)) oldest = { functionId, environment };
      }
    }
    if (!oldest) return false;
    const { functionId, environment } = oldest;
    environment.busy = true;
    // Out of the pool now, so the budget has room before the worker has finished exiting.
    this.pools.set(functionId, (this.pools.get(functionId) ?? []).filter((candidate) => candidate !== environment));
    void environment.worker.terminate();
    return true;
  }

  /** Resolves true when an environment of the function is released, false if `timeoutMs` passes first. */
  private nextRelease(functionId: string, timeoutMs: number | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const queue = this.waiting.get(functionId) ?? [];
      this.waiting.set(functionId, queue);
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        const at = queue.indexOf(woken);
        if (at >= 0) queue.splice(at, 1);
        resolve(false);
      }, timeoutMs);
      const woken = () => {
        clearTimeout(timer);
        resolve(true);
      };
      queue.push(woken);
    });
  }

  private release(fn: LocalFunction, environment: Environment): void {
    if (environment.retired) {
      this.retiring.delete(environment);
      void environment.worker.terminate();
      return;
    }
    environment.busy = false;
    environment.lastUsed = Date.now();
    this.wake(fn.logicalId);
  }

  /** Invokes a function synchronously (RequestResponse), as the Lambda Invoke API does. */
  async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.find(nameOrArn);
    const requestId = randomUUID();
    if (!fn) {
      return { ok: false, requestId, error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${nameOrArn}`, trace: [] } };
    }
    if (this.closed) return { ok: false, requestId, error: { errorType: 'Lambda.ServiceException', errorMessage: 'Runtime is shutting down', trace: [] } };
    if (nestsDeeperThan(event)) return refused(requestId, `the payload nests deeper than ${String(MAX_PAYLOAD_DEPTH)} levels`);
    // Reserved concurrency 0 is how AWS switches a function off: every invoke is throttled.
    if (fn.reservedConcurrency === 0) return { ok: false, requestId, error: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.', trace: [] } };
    const environment = await this.acquire(fn);
    try {
      return await this.invokeIn(fn, environment, event, requestId);
    } catch (error) {
      // A path nobody foresaw: the environment's state is unknown, so it is discarded (its exit frees the slot), never left busy.
      void environment.worker.terminate();
      this.options.log(`${fn.logicalId} invocation ${requestId} failed in the runtime: ${String(error)}`);
      return { ok: false, requestId, error: { errorType: 'Lambda.ServiceException', errorMessage: String(error), trace: [] } };
    }
  }

  /**
   * The environment's init time, once its module has loaded. An init that never ends (top-level code
   * that blocks or waits on nothing) fails as Lambda's does: after the init phase's 10 s and the
   * function's Timeout for the init Lambda retries within the invoke, as Sandbox.Timedout. Unbounded,
   * it held its caller forever, and the calls waiting for that function's environments to start.
   */
  private async initialized(fn: LocalFunction, environment: Environment, requestId: string): Promise<number> {
    // A warm environment: no timer on every invocation.
    if (environment.initMs !== undefined) return environment.initMs;
    const limitMs = (this.options.initTimeoutMs ?? 10_000) + fn.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const payload = timedOutPayload(fn, requestId, ' (init did not finish)');
        reject(Object.assign(new Error(payload.errorMessage), { payload }));
      }, limitMs);
    });
    try {
      return await Promise.race([environment.ready, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One invocation in an environment acquired for it; every way out releases or discards that environment. */
  private async invokeIn(fn: LocalFunction, environment: Environment, event: unknown, requestId: string): Promise<InvokeResult> {
    let initMs: number;
    try {
      initMs = await this.initialized(fn, environment, requestId);
    } catch (error) {
      await environment.worker.terminate();
      const payload = (error as { payload?: LambdaErrorPayload }).payload ?? { errorType: 'Runtime.Unknown', errorMessage: String(error), trace: [] };
      this.options.log(`${fn.logicalId} INIT_REPORT failed: ${payload.errorType}: ${payload.errorMessage}`);
      return { ok: false, requestId, error: payload };
    }
    const coldStart = !environment.reported;
    environment.reported = true;
    const id = this.nextId++;
    const started = performance.now();
    const context: InvokeContext = {
      awsRequestId: requestId,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.aliasArn ?? fn.arn,
      memoryLimitInMB: String(fn.memoryMb),
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `local/${fn.name}`,
      deadlineMs: Date.now() + fn.timeoutSeconds * 1000,
    };

    const result = await new Promise<InvokeResult & { maxMemoryUsedMb?: number }>((resolve) => {
      const pending: Pending = {
        resolve,
        requestId,
        started,
        timer: setTimeout(() => {
          cleanup();
          void environment.worker.terminate();
          resolve({
            ok: false,
            requestId,
            error: timedOutPayload(fn, requestId),
          });
        }, fn.timeoutSeconds * 1000),
      };
      const onMessage = (message: FromEnvironment) => {
        if (message.type !== 'result' || message.id !== id) return;
        cleanup();
        resolve(message.ok ? { ok: true, payload: JSON.parse(message.payloadJson) as unknown, requestId, maxMemoryUsedMb: message.maxMemoryUsedMb } : { ok: false, error: message.error, requestId, maxMemoryUsedMb: message.maxMemoryUsedMb });
      };
      const onExit = (code: number) => {
        cleanup();
        const outOfMemory = code !== 0;
        resolve({
          ok: false,
          requestId,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited${outOfMemory ? ` with error: exit status ${code}` : ' without providing a reason'}`,
            trace: [],
          },
        });
      };
      const onError = (error: Error) => {
        cleanup();
        const memory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        resolve({
          ok: false,
          requestId,
          error: memory
            ? { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`, trace: [] }
            : { errorType: error.name, errorMessage: error.message, trace: [] },
        });
      };
      const cleanup = () => {
        clearTimeout(pending.timer);
        environment.worker.off('message', onMessage);
        environment.worker.off('exit', onExit);
        environment.worker.off('error', onError);
      };
      environment.worker.on('message', onMessage);
      environment.worker.once('exit', onExit);
      environment.worker.once('error', onError);
      const fault = this.takeFault(fn);
      try {
        // JSON.stringify answers undefined for undefined (and a bare function), which Lambda would receive as no payload: null.
        const text = JSON.stringify(event) as string | undefined;
        const eventJson = text ?? 'null';
        environment.worker.postMessage({ type: 'invoke', id, eventJson, context, ...(fault === 'timeout' ? { delayMs: fn.timeoutSeconds * 1000 + 1000 } : {}) } satisfies ToEnvironment);
      } catch (error) {
        // The event has no JSON text (a BigInt, a cycle, or a stack overflow on a deep value):
        // the handler never ran and the environment is untouched, so it goes back to the pool.
        cleanup();
        resolve({ ...refused(requestId, `the payload cannot be passed to the function: ${String(error)}`), maxMemoryUsedMb: 0 });
        return;
      }
      // A crash lands mid-invoke: the handler may already have written something.
      if (fault === 'crash') setTimeout(() => void environment.worker.terminate(), Math.floor(Math.random() * 20));
    });

    const duration = performance.now() - started;
    this.options.log(
      `REPORT RequestId: ${requestId}\tFunction: ${fn.logicalId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${String(Math.ceil(duration))} ms\t` +
        `Memory Size: ${String(fn.memoryMb)} MB\tMax Memory Used: ${String(result.maxMemoryUsedMb ?? fn.memoryMb)} MB` +
        (coldStart ? `\tInit Duration: ${initMs.toFixed(2)} ms` : '') +
        (result.ok ? '' : `\tStatus: error (${result.error.errorType})`),
    );
    if (result.ok || result.maxMemoryUsedMb !== undefined) this.release(fn, environment);
    return result.ok ? { ok: true, payload: result.payload, requestId } : { ok: false, error: result.error, requestId, ...(result.refused ? { refused: true as const } : {}) };
  }

  /**
   * Makes the next `count` invocations of a function fail the way Lambda fails: 'crash' kills the
   * execution environment mid-invoke (Runtime.ExitError), 'timeout' makes it overrun its Timeout.
   */
  injectFault(nameOrArn: string, kind: FaultKind, count: number): void {
    const fn = this.find(nameOrArn);
    if (!fn) throw new Error(`No function ${nameOrArn}`);
    const queue = this.faults.get(fn.logicalId) ?? [];
    queue.push({ kind, remaining: count });
    this.faults.set(fn.logicalId, queue);
  }

  private takeFault(fn: LocalFunction): FaultKind | undefined {
    const queue = this.faults.get(fn.logicalId);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) queue.shift();
    const key = `${fn.logicalId}:${fault.kind}`;
    this.injected[key] = (this.injected[key] ?? 0) + 1;
    return fault.kind;
  }

  /** Shuts down environments idle for longer than `idleMs`, keeping one warm per function. */
  private reapIdle(idleMs: number): void {
    const now = Date.now();
    for (const pool of this.pools.values()) {
      const idle = pool.filter((environment) => !environment.busy && now - environment.lastUsed > idleMs);
      for (const environment of idle.slice(pool.length - idle.length === 0 ? 1 : 0)) {
        environment.busy = true;
        void environment.worker.terminate();
      }
    }
  }

  /**
   * The V8 heap of every live execution environment (each a worker thread with its own isolate),
   * for finding what holds memory: `kill -USR2 <pid>` logs them.
   */
  async heapStatistics(): Promise<{ functionId: string; busy: boolean; usedMb: number; totalMb: number }[]> {
    const environments = [...this.pools.entries()].flatMap(([functionId, pool]) => pool.map((environment) => ({ functionId, environment })));
    const megabytes = (bytes: number) => Math.round(bytes / 1048576);
    const statistics = await Promise.all(
      environments.map(async ({ functionId, environment }) => {
        const heap = await environment.worker.getHeapStatistics().catch(() => undefined);
        return heap ? { functionId, busy: environment.busy, usedMb: megabytes(heap.used_heap_size), totalMb: megabytes(heap.total_heap_size) } : undefined;
      }),
    );
    return statistics.filter((entry) => entry !== undefined);
  }

  /**
   * Serves a function's new code or configuration (the dev loop: docs/dev-loop.md). Its fields that
   * the dev loop applies live (code, Environment, MemorySize, Timeout, and its layers' packages when
   * a layer's package.json changed) are copied onto the function every caller holds; idle
   * environments shut down now, and busy ones finish their invocation on the old code and then shut
   * down, so every later invocation gets a fresh environment. Returns how many environments are
   * still finishing.
   */
  replaceFunction(updated: LocalFunction, bundlePath?: string, layerModules?: LayerModules): number {
    const fn = this.find(updated.logicalId);
    if (!fn) throw new Error(`No function ${updated.logicalId}`);
    const { handler, entryPoint, buildProperties, environment, memoryMb, timeoutSeconds } = updated;
    Object.assign(fn, { handler, entryPoint, buildProperties, environment, memoryMb, timeoutSeconds });
    if (bundlePath) this.bundles.set(fn.logicalId, bundlePath);
    if (layerModules) this.layerModules.set(fn.logicalId, layerModules);
    let draining = 0;
    for (const environment of this.pools.get(fn.logicalId) ?? []) {
      environment.retired = true;
      if (environment.busy) {
        this.retiring.add(environment);
        environment.worker.once('exit', () => this.retiring.delete(environment));
        draining += 1;
      } else {
        environment.busy = true;
        void environment.worker.terminate();
      }
    }
    // Out of the pool at once: the cap counts only environments that can take the next call.
    this.pools.set(fn.logicalId, []);
    for (const resolve of this.waiting.get(fn.logicalId)?.splice(0) ?? []) resolve();
    return draining;
  }

  /** Stops every execution environment. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    this.cpuLoad.close();
    // Idle environments exit on their own (writing --cpu-prof profiles); busy or stuck ones are terminated.
    const workers = [...this.pools.values(), [...this.retiring]].flat().map(async (environment) => {
      const exited = new Promise((resolve) => environment.worker.once('exit', resolve));
      if (!environment.busy) environment.worker.postMessage({ type: 'shutdown' });
      const timer = setTimeout(() => void environment.worker.terminate(), environment.busy ? 0 : 2000);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      clearTimeout(timer);
    });
    await Promise.allSettled(workers);
  }

  /** The functions served, in template order. */
  list(): readonly LocalFunction[] {
    return this.functions;
  }

  /** The bundle a function runs, as built. */
  bundleOf(fn: LocalFunction): string | undefined {
    return this.bundles.get(fn.logicalId);
  }

  /** Logical ids of the functions served. */
  names(): string[] {
    return this.functions.map((fn) => fn.logicalId);
  }
}
