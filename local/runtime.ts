import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { type ApiGateway as ApiGatewayType, ApiGateway } from './apigateway/api-gateway';
import type { LocalApiKey } from './apigateway/api-key';
import { IamAuthorizer, type LocalIamPrincipal } from './apigateway/iam-auth';
import { buildConsoleAssets, consoleEndpoint } from './console/console-server';
import { eventBridgeEndpoint, recentEventsEndpoint } from './eventbridge/eventbridge-endpoint';
import { EventBridgeService } from './eventbridge/eventbridge-service';
import { DEFAULT_HOST, connectHost, containerAccess, httpUrl, isLoopback, samLocalCommand, samLocalEnvVars } from './host-access';
import { faultEndpoint, lambdaInvokeEndpoint, meterEndpoint, stepFunctionsEndpoint } from './http-endpoints';
import { buildBootstrap, stopBuildService } from './lambda/build-functions';
import { DevLoop } from './dev-loop/dev-loop';
import { FunctionBundler } from './lambda/function-bundler';
import { LambdaService } from './lambda/lambda-service';
import { type LayerModules, functionLayerModules } from './lambda/layers';
import { localFunctionEnvironment } from './lambda/local-environment';
import { startCpuProfile } from './profiler';
import { allowedHostNames, hostRefusal, refuseHost, refuseJson } from './request-gate';
import { sqsEndpoint } from './sqs/sqs-endpoint';
import { SqsMapping } from './sqs/sqs-mapping';
import { SqsService } from './sqs/sqs-service';
import { assertStripeMockAvailable, startLocalStripe } from './payments/stripe-local';
import { LocalSecretsManager } from './secretsmanager/secrets-manager';
import { StepFunctionsApi } from './stepfunctions/api';
import { StepFunctionsService } from './stepfunctions/stepfunctions-service';
import { MeteringProxy } from './storage/metering-proxy';
import { OutageProxy } from './storage/outage-proxy';
import { type RunningStore, localCredentials, startDynamoDbWithStreams, startS3 } from './storage/storage';
import { type CoverageItem, assertFullyEmulated, describeItem, templateCoverage } from './template/emulation-coverage';
import { streamsEndpoint } from './streams/streams-endpoint';
import { startStreams } from './streams/streams';
import { type LocalFunction, type LocalManagedPolicy, type LocalTemplate, loadLocalTemplate } from './template/local-template';
import { assertTemplateTranslates } from './template/sam-translator-check';
import { localizeWebSocketUrls } from './websocket/local-urls';
import { WebSocketGateway } from './websocket/websocket-gateway';

export interface RuntimeConfig {
  apiKeys: LocalApiKey[];
  /** Local IAM users for the AWS_IAM routes: SigV4 keys, ARN and the template's managed policies each holds (docs/iam-auth.md). */
  iamPrincipals?: LocalIamPrincipal[];
  ports: { api: number; lambda: number; stepfunctions: number; dynamodb: number; s3: number; console: number; eventbridge: number; sqs: number; dynamodbstreams: number; websocket: number; secretsmanager: number };
  region: string;
  maxRunningExecutions: number;
  /** Per function without ReservedConcurrentExecutions. */
  maxConcurrencyPerFunction: number;
  /** Across all functions: the machine's stand-in for the account's concurrency. */
  maxEnvironments?: number;
  /** Across the functions no API route reaches (Step Functions tasks), which queue rather than time out. */
  maxBackgroundEnvironments?: number;
}

export interface RuntimeOptions {
  rootDir: string;
  templatePath: string;
  /** Everything the runtime keeps lives here (default <root>/.local). */
  stateDir: string;
  /** The address every endpoint binds (default 127.0.0.1; 0.0.0.0 for containers on Linux Docker). */
  host?: string;
  fresh: boolean;
  config: RuntimeConfig;
  integrationTimeoutMs?: number;
  /** Template parameter values, as `sam deploy --parameter-overrides` takes them. */
  parameterOverrides?: Record<string, string>;
  /** Fault-injection mode for the chaos suite: /_local/faults on the Lambda endpoint, outage proxies in front of S3 and DynamoDB. */
  faults?: boolean;
  /** Metering mode for `npm run cost`: counting proxies in front of S3 and DynamoDB, read at GET /_local/meter on the Lambda endpoint. */
  meter?: boolean;
  /** Write CPU profiles of the main thread and of every execution environment here on stop. */
  cpuProfileDir?: string;
  /** Refuse to start when the template has anything the runtime does not emulate (npm start -- --strict). */
  strict?: boolean;
  /** Rebuild and reload on saved changes to the functions, state machines and template (docs/dev-loop.md); off unless asked. */
  watch?: boolean;
  /**
   * Build every function's esbuild context at start (watching only), so even a function's first
   * save is incremental; off by default: the contexts hold about 1.4 GB in esbuild's service.
   */
  warmContexts?: boolean;
  log: (line: string) => void;
}

/** What `.local/runtime.json` holds, for scripts and tests. */
export interface RuntimeInfo {
  apiUrl: string;
  apiUrls: Record<string, string>;
  apiKeys: LocalApiKey[];
  /** The operator console and storefront page. */
  consoleUrl: string;
  endpoints: { sfn: string; s3: string; dynamodb: string; lambda: string; eventbridge: string; sqs: string; dynamodbstreams: string; secretsmanager: string; stripe?: string };
  /** GET: the events put on the buses, with the rules each matched (on the Lambda endpoint). */
  eventsUrl: string;
  /** Event bus names (custom and default). */
  eventBuses: string[];
  /** Queue URLs by logical id, as the local SQS endpoint serves them. */
  queues: Record<string, string>;
  /** Stream ARNs by table logical id. */
  streams: Record<string, string>;
  /** The template's WebSocket APIs by logical id (ws://host:port/{stage}); their @connections API is http://host:port/{stage}. */
  webSocketUrls: Record<string, string>;
  /** The first WebSocket API's URL, as the WebSocketUrl output gives it on AWS. */
  webSocketUrl?: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stateMachines: Record<string, string>;
  tables: Record<string, string>;
  buckets: Record<string, string>;
  /** With PaymentProvider=stripe: every request the functions made to Stripe (local/payments/stripe-idempotency.ts). */
  stripeJournal?: string;
  /** Secret ARNs by logical id (served at endpoints.secretsmanager). */
  secrets: Record<string, string>;
  functions: string[];
  pid: number;
  startedAt: string;
  startupMs: number;
  /** The functions' bundles at start-up: how many came from the content-hash cache, how many were built, and the time the slowest took. */
  bundles: { cached: number; built: number; ms: number };
  /** The folders the dev loop watches, relative to the project (empty when not watching: docs/dev-loop.md). */
  watching: string[];
  resumedExecutions: number;
  /** The address the endpoints are bound to (the URLs above are how this machine reaches them). */
  host: string;
  /** Template parameter values the runtime was started with, so `npm run invoke` resolves the same template. */
  parameterOverrides: Record<string, string>;
  /** SAM `--env-vars` file for `sam local` containers, and the command line that uses it. */
  samLocal: { envVars: string; command: string; warning?: string };
  /** What of the template does not run locally and could change behaviour (warned at start-up; refused with --strict). */
  notEmulated: CoverageItem[];
  /** What of the template has no local meaning (monitoring, IAM, deployment), with the reason. */
  ignored: CoverageItem[];
}

export interface RunningRuntime {
  info: RuntimeInfo;
  template: LocalTemplate;
  /** Present when watching (options.watch). */
  devLoop?: DevLoop;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${String(port)} is in use; pass another port (see npm start -- --help)`) : error);
    });
    server.listen(port, host, () => { resolve((server.address() as AddressInfo).port); });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => { resolve(); });
    server.closeAllConnections();
  });
}

/**
 * Writes <state-dir>/env.json, SAM's `--env-vars` file for `sam local` containers calling this
 * runtime, with the ports actually bound (0 picks free ones) and the template's resolved names.
 */
function writeSamLocalEnvVars(
  stateDir: string,
  functions: LocalFunction[],
  ports: Parameters<typeof samLocalEnvVars>[1],
  host: string,
  apiKeys: LocalApiKey[],
  iam: { principals: readonly LocalIamPrincipal[]; policies: readonly LocalManagedPolicy[] },
): RuntimeInfo['samLocal'] {
  const access = containerAccess(host);
  const path = join(stateDir, 'env.json');
  writeFileSync(`${path}.tmp`, `${JSON.stringify(samLocalEnvVars(functions, ports, access, apiKeys, iam, connectHost(host)), null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return { envVars: path, command: samLocalCommand(path, access), ...(access.warning ? { warning: access.warning } : {}) };
}

/** Loads the runtime's checked-in local configuration. */
export function loadConfig(path: string): RuntimeConfig {
  return JSON.parse(readFileSync(path, 'utf8')) as RuntimeConfig;
}

/**
 * Starts the template on this machine: dynalite, s3rver, every function in isolated execution
 * environments, the state machines, the REST API, and the Lambda and Step Functions endpoints.
 */
export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const started = performance.now();
  if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
  const stopMainProfile = options.cpuProfileDir ? await startCpuProfile(options.cpuProfileDir, 'runtime-main') : undefined;
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    // On Node 20 every Task fails with "Promise.withResolvers is not a function" and looks like a business failure.
    throw new Error(`The local runtime needs Node 22+ (Lambda runs nodejs24.x); this is ${process.version}. Use npm start, which runs node_modules/.bin/node.`);
  }
  const { config, log } = options;
  const loadOptions = {
    templatePath: options.templatePath,
    region: config.region,
    ...(options.parameterOverrides ? { parameterOverrides: options.parameterOverrides } : {}),
  };
  // Before anything is built: a template using what the runtime does not run says so, or with --strict stops here.
  const coverage = templateCoverage(loadOptions);
  if (options.strict) assertFullyEmulated(coverage);
  for (const item of coverage.notEmulated) log(`warning: not emulated: ${describeItem(item)}`);
  const template = loadLocalTemplate(loadOptions);
  assertStripeMockAvailable(options.rootDir, template.functions);
  // A layer the installed node_modules cannot supply stops start-up here, before anything starts.
  const checkedLayers = new Map<string, LayerModules>();
  const layerModules = new Map(template.functions.map((fn) => [fn.logicalId, functionLayerModules(fn.layers, checkedLayers)]));
  const runtimes = new Set(template.functions.map((fn) => fn.runtime));
  for (const runtime of runtimes) {
    const wanted = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
    if (!wanted) throw new Error(`Runtime ${runtime} is not supported locally (Node.js functions only)`);
    if (Number(wanted) !== major) log(`warning: functions declare ${runtime} but this is Node ${process.version}; npm start uses node_modules/.bin/node`);
  }
  const host = options.host ?? DEFAULT_HOST;
  // The URLs this machine uses: a wildcard bind is reached on loopback.
  const local = connectHost(host);
  if (!isLoopback(host)) log(`warning: listening on ${host}: anyone who can reach this address can use every endpoint (they have no auth beyond the API keys)`);
  // A runtime that crashed left its runtime.json pointing at dead ports: nothing may read it from
  // here on, and the new one is written once every endpoint listens.
  const infoPath = join(options.stateDir, 'runtime.json');
  rmSync(infoPath, { force: true });
  const dataDir = join(options.stateDir, 'data');
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const buildDir = join(options.stateDir, 'build');
  // Watching keeps an esbuild context per function, so a rebuild after a save is incremental.
  const bundler = new FunctionBundler(options.rootDir, buildDir, { incremental: options.watch === true });
  const hashes = new Map<string, string | undefined>();
  const bundleFunction = async (fn: LocalFunction) => {
    const result = await bundler.bundle(fn, hashes);
    if (!result.ok) throw new Error(`${fn.logicalId} does not build:\n${result.message}`);
    if (result.warnings) log(`${fn.logicalId}: esbuild warnings:\n${result.warnings}`);
    return [fn.logicalId, result] as const;
  };
  const storeOptions = options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {};
  const [dynamodb, s3, built, bootstrap, consoleAssets] = await Promise.all([
    // dynalite with the streams front (streams, transactions) in its process, on DynamoDB's port.
    startDynamoDbWithStreams(join(dataDir, 'dynamodb'), { port: config.ports.dynamodb, host }, template.tables, config.region, join(dataDir, 'streams'), storeOptions),
    startS3(join(dataDir, 's3'), { port: config.ports.s3, host }, template.buckets, storeOptions),
    Promise.all(template.functions.map(bundleFunction)),
    buildBootstrap(options.rootDir, buildDir),
    buildConsoleAssets(),
    // SAM's translator, alongside the builds: a template sam deploy would reject stops start-up with its message.
    assertTemplateTranslates({ rootDir: options.rootDir, templatePath: options.templatePath, stateDir: options.stateDir, parameterOverrides: options.parameterOverrides ?? {}, log }),
  ]);
  // The console's assets are built with the same esbuild service, so this ends it for both
  // (the dev loop keeps it: its contexts live there).
  if (!options.watch) await stopBuildService();
  const bundles = new Map(built.map(([logicalId, result]) => [logicalId, result.path]));
  const bundleStats = {
    cached: built.filter(([, result]) => result.cached).length,
    built: built.filter(([, result]) => !result.cached).length,
    ms: Math.round(Math.max(0, ...built.map(([, result]) => result.ms))),
  };
  const stores: RunningStore[] = [dynamodb, s3];

  const sfnServer = createServer();
  const lambdaServer = createServer();
  const eventsServer = createServer();
  const sqsServer = createServer();
  const streamsServer = createServer();
  const webSocketServer = createServer();
  const secretsServer = createServer();
  const apiServer = createServer();
  const consoleServer = createServer();
  const [sfnPort, lambdaPort, eventsPort, sqsPort, streamsPort, webSocketPort, secretsPort] = await Promise.all([
    listen(sfnServer, config.ports.stepfunctions, host),
    listen(lambdaServer, config.ports.lambda, host),
    listen(eventsServer, config.ports.eventbridge, host),
    listen(sqsServer, config.ports.sqs, host),
    listen(streamsServer, config.ports.dynamodbstreams, host),
    listen(webSocketServer, config.ports.websocket, host),
    listen(secretsServer, config.ports.secretsmanager, host),
  ]);
  const sqs = new SqsService(template.queues, join(dataDir, 'sqs'), httpUrl(local, sqsPort));
  const sendToQueue = (queueArn: string, body: string) => Promise.resolve(void sqs.send(queueArn, body));
  // The functions' LambdaService is created below (it needs the endpoints); the mappings start only once it exists.
  const lambdaHolder: { lambda?: LambdaService } = {};
  const lateInvoker = {
    find: (name: string) => lambdaHolder.lambda?.find(name),
    invoke: (name: string, event: unknown) => {
      if (!lambdaHolder.lambda) throw new Error('Lambda is not started yet');
      return lambdaHolder.lambda.invoke(name, event);
    },
  };
  if (dynamodb.repaired > 0) log(`DynamoDB Streams: ${String(dynamodb.repaired)} record(s) of writes interrupted by the last stop appended`);
  const streams = startStreams({
    logs: dynamodb.logs,
    mappings: template.streamMappings,
    dataDir,
    lambda: lateInvoker,
    sendToQueue,
    log,
  });
  const endpoints = {
    sfn: httpUrl(local, sfnPort),
    s3: s3.endpoint,
    dynamodb: dynamodb.endpoint,
    lambda: httpUrl(local, lambdaPort),
    eventbridge: httpUrl(local, eventsPort),
    sqs: httpUrl(local, sqsPort),
    dynamodbstreams: httpUrl(local, streamsPort),
    secretsmanager: httpUrl(local, secretsPort),
  };
  const dynamodbPort = dynamodb.port;
  // The functions' wss://{api}.execute-api… and https://… WebSocket URLs, pointed at this port (docs/realtime-updates.md).
  const webSocketOrigin = httpUrl(local, webSocketPort);
  const templateFunctions = template.functions;
  template.functions = localizeWebSocketUrls(template.functions, template.webSocketApis, config.region, webSocketOrigin);
  const stripe = await startLocalStripe(options.rootDir, template.functions, { region: config.region, accountId: template.accountId, faults: options.faults === true, dataDir });
  const secrets = new LocalSecretsManager([...template.secrets, ...(stripe?.secrets ?? [])], join(dataDir, 'secrets.json'));

  if (options.faults && options.meter) throw new Error('--faults and --meter cannot be combined');
  const meters = options.meter
    ? { dynamodb: new MeteringProxy('dynamodb', dynamodbPort, local), s3: new MeteringProxy('s3', s3.port, local) }
    : undefined;
  const proxies = options.faults
    ? { dynamodb: new OutageProxy(dynamodbPort, local), s3: new OutageProxy(s3.port, local) }
    : undefined;
  const front = proxies ?? meters;
  const functionEndpoints = {
    ...(front ? { ...endpoints, dynamodb: await front.dynamodb.start(), s3: await front.s3.start() } : endpoints),
    ...(stripe ? { stripe: stripe.url } : {}),
  };
  const lambda = new LambdaService(template.functions, bundles, bootstrap, {
    sharedEnvironment: localFunctionEnvironment(functionEndpoints, config.region),
    maxConcurrencyPerFunction: config.maxConcurrencyPerFunction,
    ...(config.maxEnvironments === undefined ? {} : { maxEnvironments: config.maxEnvironments }),
    ...(config.maxBackgroundEnvironments === undefined ? {} : { maxBackgroundEnvironments: config.maxBackgroundEnvironments }),
    clientFacing: template.webSocketApis.flatMap((api) => api.routes.flatMap((route) => [route.functionArn, ...(route.authorizer ? [route.authorizer.functionArn] : [])])),
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
    layerModules,
    log,
  });
  lambdaHolder.lambda = lambda;
  const events = new EventBridgeService(template.eventBuses, template.rules, template.archives, lambda, {
    region: config.region,
    accountId: template.accountId,
    archiveDir: join(dataDir, 'eventbridge', 'archives'),
    sendToQueue,
    log,
  });
  const queueMappings = template.queueMappings.map((mapping) => new SqsMapping(mapping, sqs, lambda, { region: config.region, log }));
  // The properties and targets that do not run are in the coverage report; these are what only the running services can tell.
  for (const line of streams.unconnected) log(`warning: not emulated: ${line}`);
  const sfn = new StepFunctionsService(template.stateMachines, lambda, {
    journalDir: join(dataDir, 'executions'),
    maxRunning: config.maxRunningExecutions,
    log,
  });
  const sfnApi = new StepFunctionsApi(sfn);
  const iam = new IamAuthorizer(config.iamPrincipals ?? [], template.managedPolicies, { region: template.region, accountId: template.accountId });
  for (const line of iam.warnings()) log(`warning: ${line}`);
  const api: ApiGatewayType = new ApiGateway(template.apis, template.functions, lambda, {
    apiKeys: config.apiKeys,
    iam,
    ...(options.integrationTimeoutMs ? { integrationTimeoutMs: options.integrationTimeoutMs } : {}),
    log,
  });
  const allowedHosts = allowedHostNames(host);
  const guard =
    (handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>) => (request: IncomingMessage, response: ServerResponse) => {
      const misdirected = hostRefusal(request, allowedHosts);
      if (misdirected) {
        refuseHost(response, misdirected);
        return;
      }
      handler(request, response).catch((error: unknown) => {
        log(`internal error: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json' });
        response.end('{"message":"Internal server error"}');
      });
    };
  sfnServer.on('request', guard(stepFunctionsEndpoint(sfnApi)));
  secretsServer.on('request', guard(secrets.endpoint()));
  const webSockets = new WebSocketGateway(template.webSocketApis, lambda, { region: config.region, accountId: template.accountId, allowedHosts: allowedHostNames(host), log });
  webSocketServer.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    webSockets.handleUpgrade(request, socket, head);
  });
  webSocketServer.on(
    'request',
    guard(async (request, response) => {
      if (!(await webSockets.handleManagement(request, response))) refuseJson(response, 404, 'Connect with a WebSocket to /{stage}, or call the @connections API at /{stage}/@connections/{connectionId}');
    }),
  );
  const webSocketUrls = webSockets.urls(`ws://${new URL(webSocketOrigin).host}`);
  const invokeEndpoint = lambdaInvokeEndpoint(lambda);
  const faults = proxies ? faultEndpoint(lambda, { ...proxies, ...(stripe?.proxy ? { stripe: stripe.proxy } : {}) }, sfnApi) : undefined;
  const meter = meters ? meterEndpoint(meters) : undefined;
  const recentEvents = recentEventsEndpoint(events);
  eventsServer.on('request', guard(eventBridgeEndpoint(events)));
  sqsServer.on('request', guard(sqsEndpoint(sqs)));
  streamsServer.on('request', guard(streamsEndpoint(streams.logs, template.tables)));
  lambdaServer.on(
    'request',
    guard((request, response) => {
      if (request.url?.startsWith('/_local/events')) return recentEvents(request, response);
      if (faults && request.url?.startsWith('/_local/faults')) return faults(request, response);
      if (meter && request.url?.startsWith('/_local/meter')) return meter(request, response);
      return invokeEndpoint(request, response);
    }),
  );
  apiServer.on('request', guard((request, response) => api.handle(request, response)));
  const apiPort = await listen(apiServer, config.ports.api, host);
  const apiUrls = api.urls(httpUrl(local, apiPort));
  const apiUrl = Object.values(apiUrls)[0] ?? httpUrl(local, apiPort);
  const storefrontKey = config.apiKeys.find((key) => key.name === 'storefront') ?? config.apiKeys[0];
  if (!storefrontKey) throw new Error('local/config.json has no API keys; the console storefront needs the "storefront" key');
  consoleServer.on('request', guard(consoleEndpoint(sfnApi, events, consoleAssets, { apiUrl, storefrontKey: storefrontKey.value })));
  const consolePort = await listen(consoleServer, config.ports.console, host);
  const devLoop = options.watch
    ? new DevLoop({
        rootDir: options.rootDir,
        templatePath: options.templatePath,
        bundler,
        lambda,
        sfn,
        template,
        reloadTemplate: () => {
          const next = loadLocalTemplate(loadOptions);
          return { ...next, functions: localizeWebSocketUrls(next.functions, next.webSocketApis, config.region, webSocketOrigin) };
        },
        checkTemplate: () => assertTemplateTranslates({ rootDir: options.rootDir, templatePath: options.templatePath, stateDir: options.stateDir, parameterOverrides: options.parameterOverrides ?? {}, log }),
        log,
      })
    : undefined;
  const watching = devLoop?.start() ?? [];
  const resumedExecutions = sfn.resumeFromJournal();
  streams.startMappings();
  for (const mapping of queueMappings) mapping.start();

  const info: RuntimeInfo = {
    apiUrl,
    apiUrls,
    apiKeys: config.apiKeys,
    consoleUrl: `${httpUrl(local, consolePort)}/`,
    endpoints: { ...endpoints, ...(stripe ? { stripe: stripe.url } : {}) },
    ...(stripe ? { stripeJournal: stripe.journal } : {}),
    webSocketUrls,
    ...(Object.values(webSocketUrls)[0] ? { webSocketUrl: Object.values(webSocketUrls)[0] } : {}),
    region: config.region,
    credentials: localCredentials(),
    stateMachines: Object.fromEntries(template.stateMachines.map((machine) => [machine.logicalId, machine.arn])),
    tables: Object.fromEntries(template.tables.map((table) => [table.logicalId, table.name])),
    buckets: Object.fromEntries(template.buckets.map((bucket) => [bucket.logicalId, bucket.name])),
    eventsUrl: `${endpoints.lambda}/_local/events`,
    eventBuses: events.busNames(),
    queues: sqs.urls(),
    streams: Object.fromEntries(template.tables.flatMap((table) => (table.stream ? [[table.logicalId, table.stream.arn]] : []))),
    secrets: Object.fromEntries(template.secrets.map((secret) => [secret.logicalId, secret.arn])),
    functions: lambda.names(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    startupMs: Math.round(performance.now() - started),
    bundles: bundleStats,
    watching,
    resumedExecutions,
    host,
    parameterOverrides: options.parameterOverrides ?? {},
    samLocal: writeSamLocalEnvVars(
      options.stateDir,
      templateFunctions,
      {
        dynamodbPort: dynamodb.port,
        s3Port: s3.port,
        sfnPort,
        secretsManagerPort: secretsPort,
        eventBridgePort: eventsPort,
        webSocket: { port: webSocketPort, apis: template.webSocketApis, region: config.region },
      },
      host,
      config.apiKeys,
      { principals: config.iamPrincipals ?? [], policies: template.managedPolicies },
    ),
    notEmulated: coverage.notEmulated,
    ignored: coverage.ignored,
  };
  // `kill -USR2 <pid>`: which V8 isolates hold what (the main thread's and each execution environment's heap).
  const logMemory = () => {
    void lambda.heapStatistics().then((environments) => {
      const megabytes = (bytes: number) => Math.round(bytes / 1048576);
      const main = getHeapStatistics();
      const workers = environments.map((entry) => `${entry.functionId}${entry.busy ? '*' : ''} ${String(entry.usedMb)}/${String(entry.totalMb)}`).join(', ');
      log(
        `memory: rss ${String(megabytes(process.memoryUsage.rss()))} MB; heap used/total MB: main ${String(megabytes(main.used_heap_size))}/${String(megabytes(main.total_heap_size))}; ` +
          `${String(environments.length)} environments ${String(environments.reduce((sum, entry) => sum + entry.totalMb, 0))} MB: ${workers}; ` +
          `executions in memory ${String(sfn.listExecutions().length)}`,
      );
    });
  };
  process.on('SIGUSR2', logMemory);
  writeFileSync(`${infoPath}.tmp`, JSON.stringify(info, null, 2));
  renameSync(`${infoPath}.tmp`, infoPath);
  if (options.warmContexts) void devLoop?.warm().then((ms) => { log(`dev loop: every function's esbuild context is built (${String(Math.round(ms))} ms, in the background)`); });

  let stopping: Promise<void> | undefined;
  return {
    info,
    template,
    ...(devLoop ? { devLoop } : {}),
    stop: () => {
      stopping ??= (async () => {
        if (devLoop) {
          await devLoop.close();
          await stopBuildService();
        }
        await Promise.all([close(apiServer), close(consoleServer), webSockets.close()]);
        const left = await sfn.drain(10_000);
        if (left > 0) log(`${String(left)} execution(s) still running; they resume on the next start`);
        sfn.suspendRunning();
        await Promise.all([close(sfnServer), close(lambdaServer), close(eventsServer), close(streamsServer), close(webSocketServer), close(secretsServer), sfn.close()]);
        // The mappings finish their batch in flight (and checkpoint it) while the functions still run.
        await Promise.all([streams.stop(), events.drain(), ...queueMappings.map((mapping) => mapping.stop())]);
        sqs.close();
        await close(sqsServer);
        await lambda.close();
        await Promise.all([...stores.map((store) => store.close()), front?.dynamodb.close(), front?.s3.close(), stripe?.stop()]);
        process.off('SIGUSR2', logMemory);
        rmSync(infoPath, { force: true });
        if (stopMainProfile) log(`CPU profiles written to ${dirname(await stopMainProfile())}`);
      })();
      return stopping;
    },
  };
}
