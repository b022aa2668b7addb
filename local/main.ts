import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, startRuntime } from './runtime';

/*
 * `npm start`: runs template.yaml on this machine with no Docker and no AWS account.
 * Options: --fresh (start with empty data), --meter (count store requests and capacity
 * units at GET /_local/meter on the Lambda endpoint, for npm run cost), --cpu-prof (profiles of every thread and of the stores into
 * <state-dir>/profiles/<time>/ on stop), --port-api, --port-lambda, --port-sfn,
 * --port-dynamodb, --port-s3, --port-console, --port-eventbridge, --port-sqs, --port-dynamodb-streams, --port-websocket, --port-secretsmanager (0 picks a free port), --state-dir, --host (the
 * bind address of every endpoint; default 127.0.0.1, 0.0.0.0 lets sam local containers on Linux in),
 * --strict (refuse to start when the template uses anything the runtime does not emulate),
 * --watch / --no-watch (rebuild and reload on saved changes; on unless CI is set: docs/dev-loop.md),
 * --warm-contexts (build every function's esbuild context at start, so even a first save is incremental).
 */
const ROOT = join(__dirname, '..');

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    faults: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    meter: { type: 'boolean', default: false },
    'parameter-overrides': { type: 'string' },
    'port-api': { type: 'string' },
    'port-lambda': { type: 'string' },
    'port-sfn': { type: 'string' },
    'port-dynamodb': { type: 'string' },
    'port-s3': { type: 'string' },
    'port-console': { type: 'string' },
    'port-eventbridge': { type: 'string' },
    'port-sqs': { type: 'string' },
    'port-dynamodb-streams': { type: 'string' },
    'port-websocket': { type: 'string' },
    'port-secretsmanager': { type: 'string' },
    'state-dir': { type: 'string' },
    host: { type: 'string' },
    strict: { type: 'boolean', default: false },
    watch: { type: 'boolean' },
    'warm-contexts': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  allowNegative: true,
});

if (values.help) {
  console.log('Usage: npm start -- [--fresh] [--faults] [--meter] [--cpu-prof] [--parameter-overrides "K=V ..."] [--port-api N] [--port-lambda N] [--port-sfn N] [--port-dynamodb N] [--port-s3 N] [--port-console N] [--port-eventbridge N] [--port-sqs N] [--port-dynamodb-streams N] [--port-websocket N] [--port-secretsmanager N] [--state-dir DIR] [--host ADDRESS] [--strict] [--no-watch] [--warm-contexts]');
  console.log('  --strict  refuse to start when the template uses a resource type, event source or property the runtime does not emulate');
  console.log('            (without it they are warnings; the list is in runtime.json, notEmulated)');
  process.exit(0);
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    console.error(`--${name} must be a port number (0-65535), got '${value}'`);
    process.exit(2);
  }
  return parsed;
}

/** `Key=Value Key2=Value2`, as `sam deploy --parameter-overrides` takes it. */
function parseOverrides(value: string | undefined): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of (value ?? '').split(/\s+/).filter(Boolean)) {
    const [key, ...rest] = pair.split('=');
    if (!key || rest.length === 0) {
      console.error(`--parameter-overrides takes Key=Value pairs, got '${pair}'`);
      process.exit(2);
    }
    overrides[key] = rest.join('=');
  }
  return overrides;
}

const config = loadConfig(join(__dirname, 'config.json'));
config.ports = {
  api: port(values['port-api'], config.ports.api, 'port-api'),
  lambda: port(values['port-lambda'], config.ports.lambda, 'port-lambda'),
  stepfunctions: port(values['port-sfn'], config.ports.stepfunctions, 'port-sfn'),
  dynamodb: port(values['port-dynamodb'], config.ports.dynamodb, 'port-dynamodb'),
  s3: port(values['port-s3'], config.ports.s3, 'port-s3'),
  console: port(values['port-console'], config.ports.console, 'port-console'),
  eventbridge: port(values['port-eventbridge'], config.ports.eventbridge, 'port-eventbridge'),
  sqs: port(values['port-sqs'], config.ports.sqs, 'port-sqs'),
  dynamodbstreams: port(values['port-dynamodb-streams'], config.ports.dynamodbstreams, 'port-dynamodb-streams'),
  websocket: port(values['port-websocket'], config.ports.websocket, 'port-websocket'),
  secretsmanager: port(values['port-secretsmanager'], config.ports.secretsmanager, 'port-secretsmanager'),
};

// Lines are gathered and written once per turn of the event loop: stdout is synchronous for
// pipes and files, and one write per REPORT line cost the main thread a syscall per invocation.
let pending: string[] = [];
const flush = () => {
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
};
process.on('exit', flush);
const log = (line: string) => {
  if (pending.length === 0) setImmediate(flush);
  pending.push(`[local] ${line}\n`);
};

// The last resort, not the fix: every known path handles its own failures. A rejection nobody
// handled is logged and the runtime keeps serving, since one bad request must not stop the others.
process.on('unhandledRejection', (reason: unknown) => {
  log(`unhandled rejection (a bug in the runtime; it keeps serving): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

const stateDir = resolve(values['state-dir'] ?? join(ROOT, '.local'));

/** A path as short as it can be said: relative below the working directory, absolute elsewhere. */
function displayPath(path: string): string {
  const short = relative(process.cwd(), path);
  return short.startsWith('..') ? path : short;
}

startRuntime({
  rootDir: ROOT,
  templatePath: join(ROOT, 'template.yaml'),
  stateDir,
  ...(values.host !== undefined ? { host: values.host } : {}),
  fresh: values.fresh,
  faults: values.faults,
  meter: values.meter,
  strict: values.strict,
  // A CI job never edits the sources while it runs: watching would only hold esbuild's memory.
  watch: values.watch ?? !process.env.CI,
  warmContexts: values['warm-contexts'],
  ...(values['cpu-prof'] ? { cpuProfileDir: join(stateDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) } : {}),
  parameterOverrides: parseOverrides(values['parameter-overrides']),
  config,
  log,
})
  .then((runtime) => {
    const { info } = runtime;
    flush();
    const keys = info.apiKeys.map((key) => `    ${key.name.padEnd(12)} x-api-key: ${key.value}`).join('\n');
    process.stdout.write(
      [
        '',
        `  Order processing is running locally (started in ${String(info.startupMs)} ms, Node ${process.version})`,
        '',
        `  Console        ${info.consoleUrl}  (operator view and storefront)`,
        `  API            ${info.apiUrl}`,
        `  API keys`,
        keys,
        `  Step Functions ${info.endpoints.sfn}`,
        `  Lambda         ${info.endpoints.lambda}`,
        `  DynamoDB       ${info.endpoints.dynamodb}`,
        `  S3             ${info.endpoints.s3}`,
        `  EventBridge    ${info.endpoints.eventbridge}  (buses: ${info.eventBuses.join(', ')}; events put: ${info.eventsUrl})`,
        `  DDB Streams    ${info.endpoints.dynamodbstreams}${Object.keys(info.streams).length > 0 ? `  (tables: ${Object.keys(info.streams).join(', ')})` : ''}`,
        `  SQS            ${info.endpoints.sqs}${Object.keys(info.queues).length > 0 ? `  (queues: ${Object.keys(info.queues).join(', ')})` : ''}`,
        info.webSocketUrl ? `  WebSocket      ${info.webSocketUrl}  (order updates: links.updates; @connections at ${info.webSocketUrl.replace(/^ws:/, 'http:')})` : '',
        `  Secrets Mgr    ${info.endpoints.secretsmanager}`,
        info.endpoints.stripe ? `  Stripe         ${info.endpoints.stripe}  (stripe-mock: PaymentProvider=stripe; it always approves)` : '',
        `  Functions      ${String(info.functions.length)}; state machines: ${Object.keys(info.stateMachines).join(', ')}`,
        info.resumedExecutions > 0 ? `  Resumed        ${String(info.resumedExecutions)} execution(s) from the journal` : '',
        ...(info.notEmulated.length > 0
          ? [`  Not emulated   ${String(info.notEmulated.length)} item(s) of the template do not run locally (warnings above; runtime.json notEmulated; --strict refuses)`]
          : []),
        info.watching.length > 0
          ? `  Watching       ${info.watching.join(', ')}: saved changes reload (docs/dev-loop.md; --no-watch turns it off)`
          : '',
        `  Details        ${displayPath(join(stateDir, 'runtime.json'))}`,
        '',
        `  sam local      ${info.samLocal.command}`,
        ...(info.samLocal.warning ? [`                 ${info.samLocal.warning}`] : []),
        `  AWS CLI        any credentials, e.g. aws --endpoint-url ${info.endpoints.s3} s3 ls`,
        '',
        `  Try: curl -H 'x-api-key: ${info.apiKeys[0]?.value ?? ''}' ${info.apiUrl}/products`,
        '',
      ].join('\n') + '\n',
    );
    let signals = 0;
    const shutdown = (signal: string) => {
      signals += 1;
      if (signals > 1) process.exit(130);
      log(`${signal}: draining in-flight work (Ctrl-C again to quit now)`);
      runtime.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => { shutdown('SIGINT'); });
    process.on('SIGTERM', () => { shutdown('SIGTERM'); });
  })
  .catch((error: unknown) => {
    console.error(`[local] failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
