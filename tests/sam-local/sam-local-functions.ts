import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { lambdaInvokeEndpoint } from '../../local/http-endpoints';
import { buildBootstrap, buildFunction } from '../../local/lambda/build-functions';
import { LambdaService } from '../../local/lambda/lambda-service';
import { type SamEnvVars, parseSamEnvVars, samOverridesFor } from '../../local/lambda/sam-env-vars';
import type { RuntimeInfo } from '../../local/runtime';
import { loadLocalTemplate } from '../../local/template/local-template';

/**
 * The env.json `npm start` wrote for `sam local … --env-vars` (<state-dir>/env.json: endpoints,
 * resource names, LOCAL_API_KEYS), as these functions need it. They run on this host, not in a
 * container, so the one thing a container resolves differently, the host name in the endpoint
 * URLs, becomes loopback; every other value is the generated file's, so this run proves that file.
 */
export function envVarsFor(stateDir: string): SamEnvVars {
  const generated = parseSamEnvVars(readFileSync(join(stateDir, 'env.json'), 'utf8'));
  const parameters = { ...generated.Parameters };
  for (const [name, value] of Object.entries(parameters)) {
    if (name.startsWith('AWS_ENDPOINT_URL_') && typeof value === 'string') parameters[name] = value.replace('//host.docker.internal:', '//127.0.0.1:');
  }
  // Functions log every request at INFO; the run prints one line per route instead.
  return { ...generated, Parameters: { ...parameters, POWERTOOLS_LOG_LEVEL: 'WARN' } };
}

export interface SamLocalFunctions {
  /** A Lambda Invoke endpoint (POST /2015-03-31/functions/{name}/invocations). */
  url: string;
  close(): Promise<void>;
}

/**
 * Runs the template's API functions the way `sam local start-api` runs them, minus Docker: built as
 * `sam build` builds them, with AWS_SAM_LOCAL=true and SAM's variable rules, AWS calls going to the
 * running runtime's emulators. The runtime's own Lambda endpoint cannot stand in: it runs
 * functions with the runtime's environment, without AWS_SAM_LOCAL.
 */
export async function startSamLocalFunctions(options: { root: string; buildDir: string; info: RuntimeInfo; envVars: SamEnvVars }): Promise<SamLocalFunctions> {
  const template = loadLocalTemplate({ templatePath: join(options.root, 'template.yaml'), region: options.info.region });
  // sam local start-api only ever invokes the functions behind a route.
  const functions = template.functions.filter((fn) => fn.routes.length > 0).map((fn) => ({ ...fn, environment: { ...fn.environment, ...samOverridesFor(fn, options.envVars) } }));
  const [bootstrap, ...bundles] = await Promise.all([
    buildBootstrap(options.root, options.buildDir),
    ...functions.map((fn) => buildFunction(fn, options.root, options.buildDir)),
  ]);
  // esbuild's service process would otherwise stay alive (and large) for the whole run.
  await stopEsbuild();
  const lambda = new LambdaService(functions, new Map(functions.map((fn, index) => [fn.logicalId, bundles[index] ?? ''])), bootstrap, {
    // What SAM adds to every function (env_vars.py _get_aws_variables). The credentials stand for
    // a user's own, which SAM passes on from the shell: every local endpoint accepts any well-formed key.
    sharedEnvironment: {
      AWS_SAM_LOCAL: 'true',
      AWS_REGION: options.info.region,
      AWS_DEFAULT_REGION: options.info.region,
      AWS_ACCESS_KEY_ID: 'AKIASAMLOCALUSER0001',
      AWS_SECRET_ACCESS_KEY: 'a-secret-the-emulators-never-see',
      AWS_ACCOUNT_ID: '123456789012',
    },
    maxConcurrencyPerFunction: 1,
    log: () => undefined,
  });
  const endpoint = lambdaInvokeEndpoint(lambda);
  const server = createServer((request, response) => void endpoint(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await lambda.close();
    },
  };
}
