import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { lambdaInvokeEndpoint } from '../../local/http-endpoints';
import { buildBootstrap } from '../../local/lambda/build-functions';
import { LambdaService } from '../../local/lambda/lambda-service';
import type { LocalFunction } from '../../local/template/local-template';
import { ROOT } from '../support/template';

/** The runtime's Lambda endpoint through the real AWS SDK: ListFunctions, GetFunction, GetFunctionConfiguration and Invoke. */
jest.setTimeout(30_000);

const dir = mkdtempSync(join(tmpdir(), 'lambda-endpoint-'));
const NAMES = ['Alpha', 'Beta', 'Gamma'];

function fn(name: string): LocalFunction {
  const arn = `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  return {
    logicalId: name,
    name,
    arn,
    aliasArn: `${arn}:live`,
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    entryPoint: '',
    buildProperties: {},
    timeoutSeconds: 7,
    memoryMb: 192,
    architecture: 'arm64',
    environment: { TABLE_NAME: 'from-template', AWS_ENDPOINT_URL_S3: '' },
    routes: [],
    layers: [],
  };
}

let lambda: LambdaService;
let server: Server;
let client: LambdaClient;

beforeAll(async () => {
  const bundles = new Map<string, string>();
  for (const name of NAMES) {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, `exports.handler = async (event) => ({ name: ${JSON.stringify(name)}, event });`);
    bundles.set(name, file);
  }
  lambda = new LambdaService(NAMES.map(fn), bundles, await buildBootstrap(ROOT, dir), {
    sharedEnvironment: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569', NOT_DECLARED: 'x' },
    maxConcurrencyPerFunction: 1,
    log: () => undefined,
  });
  const endpoint = lambdaInvokeEndpoint(lambda);
  server = createServer((request, response) => void endpoint(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new LambdaClient({
    endpoint: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
  await lambda.close();
});

describe('local Lambda endpoint through @aws-sdk/client-lambda', () => {
  it('lists every function in template order across pages of MaxItems', async () => {
    const pages = [];
    for await (const page of paginateListFunctions({ client, pageSize: 2 }, {})) pages.push(page.Functions?.map((item) => item.FunctionName));

    expect(pages).toEqual([['Alpha', 'Beta'], ['Gamma']]);
  });

  it("describes a function's configuration: runtime, sizes, the bundle's hash, declared variables with local values", async () => {
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'Beta' }));

    expect(configuration).toMatchObject({
      FunctionName: 'Beta',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Beta',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 7,
      MemorySize: 192,
      Architectures: ['arm64'],
      PackageType: 'Zip',
      State: 'Active',
      Version: '$LATEST',
      CodeSha256: createHash('sha256').update(readFileSync(join(dir, 'Beta.js'))).digest('base64'),
      Environment: { Variables: { TABLE_NAME: 'from-template', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' } },
    });
    expect(configuration.Environment?.Variables).not.toHaveProperty('NOT_DECLARED');
    expect(configuration.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  it('answers GetFunction with the configuration and no Code.Location, by name, ARN or alias', async () => {
    for (const input of [{ FunctionName: 'Gamma' }, { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:Gamma' }, { FunctionName: 'Gamma', Qualifier: 'live' }]) {
      const described = await client.send(new GetFunctionCommand(input));
      expect(described.Configuration?.FunctionName).toBe('Gamma');
      expect(described.Code?.Location).toBeUndefined();
    }
  });

  it('answers ResourceNotFoundException for an unknown function or qualifier', async () => {
    await expect(client.send(new GetFunctionCommand({ FunctionName: 'Missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new GetFunctionConfigurationCommand({ FunctionName: 'Alpha', Qualifier: '7' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('still invokes', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'Alpha', Payload: Buffer.from('{"n":1}') }));

    expect(JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8'))).toEqual({ name: 'Alpha', event: { n: 1 } });
  });
});
