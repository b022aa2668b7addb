import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBootstrap, buildFunction } from './lambda/build-functions';
import { LambdaService } from './lambda/lambda-service';
import { localApiKeysVariable, localFunctionEnvironment } from './lambda/local-environment';
import { type SamEnvVars, parseSamEnvVars, samOverridesFor } from './lambda/sam-env-vars';
import type { RuntimeInfo } from './runtime';
import { loadLocalTemplate } from './template/local-template';

/*
 * `npm run invoke -- <FunctionLogicalId> -e <event.json>`: the Docker-free `sam local invoke`.
 * Builds the function as `sam build` does, runs it once in an isolated environment, and prints
 * its logs and REPORT line (stderr) and its result (stdout). Its AWS calls go to the running
 * `npm start` runtime found through <state-dir>/runtime.json.
 */
const ROOT = join(__dirname, '..');
const USAGE =
  'Usage: npm run invoke -- <FunctionLogicalId> [-e <event.json> | <event.json>] [--state-dir DIR] [--env-vars FILE]\n' +
  '  e.g. npm run invoke -- CreateOrderFunction -e events/create-order.json';
const HELP = `${USAGE}

  -e, --event FILE    the event (JSON); '-' reads stdin. Without one the event is {} (as sam local invoke).
  --state-dir DIR     where the running runtime keeps runtime.json (default .local, as npm start).
  --env-vars FILE     SAM's format: {"Parameters": {...}, "<FunctionLogicalId>": {...}}. As in SAM,
                      only variables the function declares in template.yaml are overridden.
  -h, --help          this text.

The function gets AWS_SAM_LOCAL=true and LOCAL_API_KEYS (the runtime's keys), as under sam local,
and the runtime's region, endpoints and credentials.`;

class UsageError extends Error {
  override name = 'UsageError';
}

interface Invocation {
  functionId: string;
  eventPath?: string;
  stateDir: string;
  envVarsPath?: string;
}

function parseCommandLine(argv: string[]): Invocation | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        event: { type: 'string', short: 'e' },
        'state-dir': { type: 'string' },
        'env-vars': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [functionId, positionalEvent, ...extra] = positionals;
  if (!functionId) throw new UsageError('Name the function to invoke (its logical id in template.yaml)');
  if (extra.length > 0) throw new UsageError(`Unexpected argument(s): ${extra.join(' ')}`);
  if (positionalEvent !== undefined && values.event !== undefined) throw new UsageError('Give the event once: either -e FILE or a second argument');
  const eventPath = values.event ?? positionalEvent;
  return {
    functionId,
    ...(eventPath !== undefined ? { eventPath } : {}),
    stateDir: resolve(values['state-dir'] ?? join(ROOT, '.local')),
    ...(values['env-vars'] !== undefined ? { envVarsPath: values['env-vars'] } : {}),
  };
}

/** The running runtime's details, or why there is none. */
function findRuntime(stateDir: string): RuntimeInfo | string {
  const infoPath = join(stateDir, 'runtime.json');
  if (!existsSync(infoPath)) return `No local runtime is running for ${stateDir} (no runtime.json there).`;
  const info = JSON.parse(readFileSync(infoPath, 'utf8')) as RuntimeInfo;
  try {
    // Signal 0 only checks that the process exists: a runtime killed with SIGKILL leaves runtime.json behind.
    process.kill(info.pid, 0);
  } catch {
    return `The local runtime recorded in ${infoPath} (pid ${String(info.pid)}) is no longer running.`;
  }
  return info;
}

function readEvent(path: string | undefined): unknown {
  if (path === undefined) return {};
  return JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
}

async function main(argv: string[]): Promise<number> {
  let invocation: Invocation | 'help';
  try {
    invocation = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  if (invocation === 'help') {
    console.log(HELP);
    return 0;
  }
  const { functionId, eventPath, stateDir, envVarsPath } = invocation;

  const runtime = findRuntime(stateDir);
  if (typeof runtime === 'string') {
    // Without the runtime the function's SDK calls would have no region, endpoints or credentials.
    console.error(`${runtime}\nStart one first (npm start${stateDir === resolve(ROOT, '.local') ? '' : ` -- --state-dir ${stateDir}`}), or pass the --state-dir it uses.`);
    return 1;
  }
  const template = loadLocalTemplate({
    templatePath: join(ROOT, 'template.yaml'),
    region: runtime.region,
    parameterOverrides: runtime.parameterOverrides,
  });
  const fn = template.functions.find((candidate) => candidate.logicalId === functionId);
  if (!fn) {
    console.error(`No function ${functionId} in template.yaml. Functions: ${template.functions.map((candidate) => candidate.logicalId).join(', ')}`);
    return 2;
  }
  let event: unknown;
  let envVars: SamEnvVars = {};
  try {
    event = readEvent(eventPath);
  } catch (error) {
    console.error(`Cannot read the event ${eventPath ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  try {
    if (envVarsPath !== undefined) envVars = parseSamEnvVars(readFileSync(envVarsPath, 'utf8'));
  } catch (error) {
    console.error(`Cannot use the env-vars file ${envVarsPath ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }

  const buildDir = join(stateDir, 'build-invoke');
  const [bundle, bootstrap] = await Promise.all([buildFunction(fn, ROOT, buildDir), buildBootstrap(ROOT, buildDir)]);
  const lambda = new LambdaService([fn], new Map([[fn.logicalId, bundle]]), bootstrap, {
    // One function, so the shared environment is this function's: the runtime's values first (as
    // `npm start` gives its functions), then what `sam local invoke` adds, then the user's file.
    sharedEnvironment: {
      ...localFunctionEnvironment(runtime.endpoints, runtime.region),
      AWS_SAM_LOCAL: 'true',
      LOCAL_API_KEYS: localApiKeysVariable(runtime.apiKeys),
      ...samOverridesFor(fn, envVars),
    },
    maxConcurrencyPerFunction: 1,
    functionOutputToStderr: true,
    log: (line) => {
      process.stderr.write(`${line}\n`);
    },
  });
  try {
    const result = await lambda.invoke(fn.logicalId, event);
    process.stdout.write(`${JSON.stringify(result.ok ? result.payload : result.error, null, 2)}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await lambda.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
