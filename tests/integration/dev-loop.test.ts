import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type RunningRuntime, loadConfig, startRuntime } from '../../local/runtime';
import { copyProject, probeHandlerSource, writeMarkedAsl } from '../support/project-copy';
import { ROOT } from '../support/template';

/*
 * The developer loop (docs/dev-loop.md) on a copy of the project in a temp dir (the real source
 * tree is never edited): a saved handler is served to new invocations while one in flight finishes
 * on the old code; a handler that does not build leaves the old one serving, with the error
 * printed; a saved ASL starts new executions on the new definition while a running one keeps its
 * own; a template change applies what it can live and names what needs a restart. Waits have
 * deadlines; nothing here asserts a speed (bench/dev-loop.ts measures it).
 */
jest.setTimeout(420_000);

const project = copyProject('dev-loop-root-');
const { root } = project;
const stateDir = mkdtempSync(join(tmpdir(), 'dev-loop-state-'));
const lines: string[] = [];
let runtime: RunningRuntime;
let sfn: SFNClient;
let lambda: LambdaClient;

const handlerPath = join(root, 'functions', 'list-products', 'index.ts');
const aslPath = join(root, 'statemachine', 'order-processing.asl.json');
const templatePath = join(root, 'template.yaml');

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 120_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Runtime output:\n${lines.slice(-40).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function invoke(waitMs: number): Promise<{ version: string; logLevel: string }> {
  const result = await lambda.send(new InvokeCommand({ FunctionName: 'ListProductsFunction', Payload: JSON.stringify({ probe: { waitMs } }) }));
  const text = Buffer.from(result.Payload ?? []).toString();
  if (result.FunctionError) throw new Error(`Invoke failed: ${text}`);
  return JSON.parse(text) as { version: string; logLevel: string };
}

const logged = (pattern: RegExp) => until(`a log line like ${String(pattern)}`, () => Promise.resolve(lines.find((line) => pattern.test(line))));

beforeAll(async () => {
  writeFileSync(handlerPath, probeHandlerSource('v1'));
  writeMarkedAsl(aslPath, 'v1');
  // Long enough for an invocation held in flight while the code changes under it.
  writeFileSync(templatePath, readFileSync(templatePath, 'utf8').replace(/^ {4}Timeout: 10$/m, '    Timeout: 60'));
  const config = loadConfig(join(ROOT, 'local', 'config.json'));
  config.ports = { api: 0, lambda: 0, stepfunctions: 0, dynamodb: 0, s3: 0, console: 0, eventbridge: 0, sqs: 0, dynamodbstreams: 0, websocket: 0, secretsmanager: 0 };
  runtime = await startRuntime({ rootDir: root, templatePath, stateDir, fresh: true, watch: true, config, log: (line) => lines.push(line) });
  const common = { region: runtime.info.region, credentials: runtime.info.credentials };
  sfn = new SFNClient({ ...common, endpoint: runtime.info.endpoints.sfn });
  lambda = new LambdaClient({ ...common, endpoint: runtime.info.endpoints.lambda, maxAttempts: 1 });
});

afterAll(async () => {
  sfn.destroy();
  lambda.destroy();
  await runtime.stop();
  project.remove();
  rmSync(stateDir, { recursive: true, force: true });
});

it('watches the functions, the state machine and the template', () => {
  expect(runtime.info.watching).toEqual(expect.arrayContaining(['functions', 'statemachine', '.']));
});

it('serves a saved handler to new invocations while one in flight finishes on the old code', async () => {
  expect(await invoke(0)).toMatchObject({ version: 'v1' });
  let inFlightDone = false;
  const inFlight = invoke(20_000).finally(() => { inFlightDone = true; });
  // It takes the warm environment at once; the "finishing on the old" line below proves it was in flight at the swap.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  writeFileSync(handlerPath, probeHandlerSource('v2'));
  await until('the new code to be served', async () => ((await invoke(0)).version === 'v2' ? true : undefined));
  expect(inFlightDone).toBe(false);
  expect(await inFlight).toMatchObject({ version: 'v1' });
  // At least the held one: a polling invoke(0) above can be in flight at the swap too (seen under load: "2 finishing").
  // Every line about the function is compared, so a failure shows what the loop did instead.
  expect(lines.filter((line) => line.startsWith('ListProductsFunction:'))).toContainEqual(expect.stringMatching(/ListProductsFunction: rebuilt in \d+ ms; new invocations run the new code \([1-9]\d* finishing on the old\)/));
});

it('keeps the previous bundle serving when a saved handler does not build, and prints the error', async () => {
  writeFileSync(handlerPath, `${probeHandlerSource('v3')}\nexport const broken = (;\n`);
  const error = await logged(/ListProductsFunction: build failed; still serving the previous bundle/);
  expect(error).toMatch(/functions\/list-products\/index\.ts:\d+:\d+/);
  expect(await invoke(0)).toMatchObject({ version: 'v2' });
  writeFileSync(handlerPath, probeHandlerSource('v4'));
  await until('the fixed code to be served', async () => ((await invoke(0)).version === 'v4' ? true : undefined));
});

it('starts new executions on a saved ASL while a running execution keeps the definition it started on', async () => {
  const stateMachineArn = runtime.info.stateMachines.OrderProcessingStateMachine;
  const first = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ pauseSeconds: 6, stopHere: true }) }));
  writeMarkedAsl(aslPath, 'v2');
  await logged(/OrderProcessingStateMachine: definition changed; new executions run it/);
  const second = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ pauseSeconds: 0, stopHere: true }) }));
  const describe = (executionArn: string | undefined) => sfn.send(new DescribeExecutionCommand({ executionArn }));
  expect((await describe(first.executionArn)).status).toBe('RUNNING');
  const outputs = await Promise.all(
    [first, second].map((started) =>
      until('the execution to end', async () => {
        const execution = await describe(started.executionArn);
        return execution.status === 'RUNNING' ? undefined : execution;
      }),
    ),
  );
  expect(outputs.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(outputs.map((execution) => (JSON.parse(execution.output ?? '{}') as { marker?: string }).marker)).toEqual(['v1', 'v2']);
});

it('applies a changed environment variable live and names a change that needs a restart', async () => {
  const template = readFileSync(templatePath, 'utf8');
  const logLevel = 'POWERTOOLS_LOG_LEVEL: !If [IsProd, WARN, INFO]';
  expect(template).toContain(logLevel);
  writeFileSync(templatePath, template.replace(logLevel, 'POWERTOOLS_LOG_LEVEL: DEBUG'));
  await until('the new environment to be served', async () => ((await invoke(0)).logLevel === 'DEBUG' ? true : undefined));
  writeFileSync(templatePath, readFileSync(templatePath, 'utf8').replace(/^Resources:\n/m, 'Resources:\n  DevLoopExtraBucket:\n    Type: AWS::S3::Bucket\n'));
  await logged(/template\.yaml: not applied until you restart npm start .*bucket DevLoopExtraBucket added/);
  expect(await invoke(0)).toMatchObject({ version: 'v4', logLevel: 'DEBUG' });
});

it("checks a saved layer package.json again: keeps the previous packages on a version node_modules lacks, and serves one it has", async () => {
  expect(runtime.info.watching).toContain(join('layers', 'stripe-sdk'));
  const manifestPath = join(root, 'layers', 'stripe-sdk', 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies: Record<string, string> };
  const stripe = manifest.dependencies.stripe ?? '';
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, dependencies: { ...manifest.dependencies, stripe: '99.0.0' } }, null, 2));
  // Once for the layer, naming every function that keeps the packages it had.
  const refused = await logged(/^StripeSdkLayer: .* wants stripe@99\.0\.0, but .* is \d+\.\d+\.\d+\. .*keep the layer packages they had/);
  expect(refused).toMatch(/AuthorizePaymentFunction, CapturePaymentFunction, VoidPaymentFunction keep/);
  expect(lines.filter((line) => line.includes('wants stripe@99.0.0'))).toHaveLength(1);
  // A package the project has installed (semver, a devDependency) is one the layer can supply.
  const semver = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'semver', 'package.json'), 'utf8')) as { version: string }).version;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, dependencies: { stripe, semver } }, null, 2));
  await logged(/AuthorizePaymentFunction: StripeSdkLayer supplies semver, stripe now; new invocations get fresh environments/);
  await logged(/VoidPaymentFunction: StripeSdkLayer supplies semver, stripe now/);
});
