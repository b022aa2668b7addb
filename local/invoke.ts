import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBootstrap, buildFunction } from './lambda/build-functions';
import { LambdaService } from './lambda/lambda-service';
import { localFunctionEnvironment } from './lambda/local-environment';
import type { RuntimeInfo } from './runtime';
import { loadLocalTemplate } from './template/local-template';

/*
 * `npm run invoke -- <FunctionLogicalId> <event.json>`: the Docker-free `sam local invoke`.
 * Builds the function as `sam build` does, runs it once in an isolated environment, and prints
 * its logs, its result and the REPORT line. AWS calls go to the running `npm start` runtime.
 */
const ROOT = join(__dirname, '..');
const [functionId, eventPath] = process.argv.slice(2);

async function main(): Promise<number> {
  if (!functionId || !eventPath) {
    console.error('Usage: npm run invoke -- <FunctionLogicalId> <event.json>   e.g. npm run invoke -- CreateOrderFunction events/create-order.json');
    return 2;
  }
  const template = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') });
  const fn = template.functions.find((candidate) => candidate.logicalId === functionId);
  if (!fn) {
    console.error(`No function ${functionId} in template.yaml. Functions: ${template.functions.map((candidate) => candidate.logicalId).join(', ')}`);
    return 2;
  }
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch (error) {
    console.error(`Cannot read the event ${eventPath}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }

  const infoPath = join(ROOT, '.local', 'runtime.json');
  const runtime = existsSync(infoPath) ? (JSON.parse(readFileSync(infoPath, 'utf8')) as RuntimeInfo) : undefined;
  if (!runtime) console.error('Note: no local runtime is running (npm start), so the function\'s AWS calls have nowhere to go.');
  const buildDir = join(ROOT, '.local', 'build-invoke');
  const [bundle, bootstrap] = await Promise.all([buildFunction(fn, ROOT, buildDir), buildBootstrap(ROOT, buildDir)]);
  const lambda = new LambdaService([fn], new Map([[fn.logicalId, bundle]]), bootstrap, {
    sharedEnvironment: runtime ? localFunctionEnvironment(runtime.endpoints, runtime.region) : {},
    maxConcurrencyPerFunction: 1,
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
