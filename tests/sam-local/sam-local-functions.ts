import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { lambdaInvokeEndpoint } from '../../local/http-endpoints';
import { buildBootstrap, buildFunction } from '../../local/lambda/build-functions';
import { LambdaService } from '../../local/lambda/lambda-service';
import type { RuntimeInfo } from '../../local/runtime';
import { type LocalFunction, loadLocalTemplate } from '../../local/template/local-template';

/** An env.json as `sam local … --env-vars` reads it: `Parameters` for every function, then a block per function. */
export type EnvVarsFile = { Parameters?: Record<string, string> } & Record<string, Record<string, string> | undefined>;

/**
 * The env.json a user would pass to `sam local start-api` to reach a running `npm start`: its
 * endpoints, resource names and API keys (LOCAL_API_KEYS as id=value pairs). Endpoints are the
 * loopback ones, because these functions run on this host, not in a container. STATE_MACHINE_ARN
 * keeps the value the local template resolves (the ARN CreateOrder starts executions on, which may
 * be an alias), because runtime.json lists only unqualified state machine ARNs.
 */
export function envVarsFor(info: RuntimeInfo): EnvVarsFile {
  const named = (names: Record<string, string>, logicalId: string): string => {
    const name = names[logicalId];
    if (name === undefined) throw new Error(`runtime.json names no ${logicalId}`);
    return name;
  };
  return {
    Parameters: {
      AWS_ENDPOINT_URL_DYNAMODB: info.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: info.endpoints.s3,
      AWS_ENDPOINT_URL_SFN: info.endpoints.sfn,
      S3_FORCE_PATH_STYLE: 'true',
      ORDERS_TABLE_NAME: named(info.tables, 'OrdersTable'),
      SIMULATOR_LEDGER_TABLE_NAME: named(info.tables, 'SimulatorLedgerTable'),
      RECEIPTS_BUCKET_NAME: named(info.buckets, 'ReceiptsBucket'),
      LOCAL_API_KEYS: info.apiKeys.map((key) => `${key.id}=${key.value}`).join(','),
      // Functions log every request at INFO; the run prints one line per route instead.
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  };
}

/**
 * A function's environment as SAM CLI builds it (samcli/local/lambdafn/env_vars.py): the variables
 * the template declares, each overridden by env.json (its function block over Parameters); a
 * variable the template does not declare is never passed, whatever env.json says.
 */
export function samLocalVariables(fn: LocalFunction, envVars: EnvVarsFile): Record<string, string> {
  const overrides = { ...envVars.Parameters, ...envVars[fn.logicalId] };
  return Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, overrides[name] ?? value]));
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
export async function startSamLocalFunctions(options: { root: string; buildDir: string; info: RuntimeInfo; envVars: EnvVarsFile }): Promise<SamLocalFunctions> {
  const template = loadLocalTemplate({ templatePath: join(options.root, 'template.yaml'), region: options.info.region });
  // sam local start-api only ever invokes the functions behind a route.
  const functions = template.functions.filter((fn) => fn.routes.length > 0).map((fn) => ({ ...fn, environment: samLocalVariables(fn, options.envVars) }));
  const [bootstrap, ...bundles] = await Promise.all([
    buildBootstrap(options.root, options.buildDir),
    ...functions.map((fn) => buildFunction(fn, options.root, options.buildDir)),
  ]);
  // esbuild's service process would otherwise stay alive (and large) for the whole run.
  await stopEsbuild();
  const lambda = new LambdaService(functions, new Map(functions.map((fn, index) => [fn.logicalId, bundles[index] ?? ''])), bootstrap, {
    // What SAM adds to every function (env_vars.py _get_aws_variables). The credentials stand for
    // the shell's, which SAM passes on; the runtime's are the ones its S3 endpoint accepts.
    sharedEnvironment: {
      AWS_SAM_LOCAL: 'true',
      AWS_REGION: options.info.region,
      AWS_DEFAULT_REGION: options.info.region,
      AWS_ACCESS_KEY_ID: options.info.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: options.info.credentials.secretAccessKey,
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
