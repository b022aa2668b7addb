import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerAccess, samLocalCommand, samLocalEnvVars } from '../../../local/host-access';
import { EnvVarsFormatError, parseSamEnvVars, samEnvVarsFor, samOverridesFor } from '../../../local/lambda/sam-env-vars';
import type { LocalFunction } from '../../../local/template/local-template';
import { loadConfig } from '../../../local/runtime';
import { loadLocalTemplate } from '../../../local/template/local-template';
import { ROOT, localTemplate } from '../../support/template';

function fn(logicalId: string, environment: Record<string, string>): LocalFunction {
  return { logicalId, name: `${logicalId}-name`, environment } as LocalFunction;
}

describe("SAM's --env-vars file, read as sam local invoke reads it", () => {
  const getOrder = fn('GetOrderFunction', { ORDERS_TABLE_NAME: 'local-OrdersTable', CORS_ALLOW_ORIGIN: '*' });

  it('applies Parameters to every function and lets the function block win', () => {
    const file = parseSamEnvVars(JSON.stringify({ Parameters: { ORDERS_TABLE_NAME: 'a', CORS_ALLOW_ORIGIN: 'x' }, GetOrderFunction: { ORDERS_TABLE_NAME: 'b' } }));
    expect(samOverridesFor(getOrder, file)).toEqual({ ORDERS_TABLE_NAME: 'b', CORS_ALLOW_ORIGIN: 'x' });
  });

  it('finds the function block by function name when there is none by logical id', () => {
    expect(samOverridesFor(getOrder, { 'GetOrderFunction-name': { ORDERS_TABLE_NAME: 'c' } })).toEqual({ ORDERS_TABLE_NAME: 'c' });
  });

  it('ignores variables the function does not declare in the template', () => {
    expect(samOverridesFor(getOrder, { Parameters: { RECEIPTS_BUCKET_NAME: 'r', ORDERS_TABLE_NAME: 't' } })).toEqual({ ORDERS_TABLE_NAME: 't' });
  });

  it('stringifies values as SAM does: booleans lower-case, numbers as written, objects and null empty', () => {
    const declared = fn('F', { A: '', B: '', C: '', D: '' });
    expect(samOverridesFor(declared, { Parameters: { A: true, B: 30, C: { Ref: 'X' }, D: null } })).toEqual({ A: 'true', B: '30', C: '', D: '' });
  });

  it('rejects a file whose entries are not objects of variables', () => {
    expect(() => parseSamEnvVars(JSON.stringify({ Parameters: ['A=1'] }))).toThrow(EnvVarsFormatError);
    expect(() => parseSamEnvVars('[]')).toThrow(EnvVarsFormatError);
  });
});

describe('the env.json npm start writes for sam local', () => {
  it('puts values shared by every function in Parameters and differing ones in per-function blocks', () => {
    const file = samEnvVarsFor([fn('A', { SHARED: '1', MODE: 'a' }), fn('B', { SHARED: '1', MODE: 'b' })], { EXTRA: 'e' });
    expect(file).toEqual({ Parameters: { EXTRA: 'e', SHARED: '1' }, A: { MODE: 'a' }, B: { MODE: 'b' } });
  });

  it("gives every template variable its resolved local value, the endpoints as a container reaches them, and the runtime's API keys", () => {
    const template = localTemplate();
    const file = samLocalEnvVars(template.functions, { dynamodbPort: 8000, s3Port: 4569, sfnPort: 8083 }, containerAccess('0.0.0.0'), [
      { name: 'storefront', id: 'localkey0001', value: 'local-storefront-key-0000000000000001' },
    ]);
    const stateMachine = template.stateMachines.find((machine) => machine.logicalId === 'OrderProcessingStateMachine');
    expect(file.Parameters).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://host.docker.internal:8000',
      AWS_ENDPOINT_URL_S3: 'http://host.docker.internal:4569',
      AWS_ENDPOINT_URL_SFN: 'http://host.docker.internal:8083',
      S3_FORCE_PATH_STYLE: 'true',
      LOCAL_API_KEYS: 'localkey0001=local-storefront-key-0000000000000001',
      ORDERS_TABLE_NAME: template.tables.find((table) => table.logicalId === 'OrdersTable')?.name,
      RECEIPTS_BUCKET_NAME: template.buckets.find((bucket) => bucket.logicalId === 'ReceiptsBucket')?.name,
      // CreateOrder starts executions on the alias when the state machine publishes one.
      STATE_MACHINE_ARN: stateMachine?.alias ? `${stateMachine.arn}:${stateMachine.alias}` : stateMachine?.arn,
    });
    // Every variable any function declares is set, so no function falls back to the template's empty endpoints.
    const covered = [...new Set(Object.values(file).flatMap((block) => Object.keys(block)))];
    for (const declared of template.functions.flatMap((candidate) => Object.keys(candidate.environment))) expect(covered).toContain(declared);
  });
});

describe('the WebSocket URLs in the env.json npm start writes', () => {
  const template = localTemplate();
  const ports = { dynamodbPort: 8000, s3Port: 4569, sfnPort: 8083, eventBridgePort: 4010, webSocket: { port: 3003, apis: template.webSocketApis, region: 'us-east-1' } };
  const file = samLocalEnvVars(template.functions, ports, containerAccess('0.0.0.0'), []);
  const values = (name: string) => [...new Set(Object.values(file).flatMap((block) => (name in block ? [block[name]] : [])))];

  it('gives the publisher the @connections API as a container reaches it, and EventBridge likewise', () => {
    expect(values('WEBSOCKET_MANAGEMENT_ENDPOINT')).toEqual([expect.stringMatching(/^http:\/\/host\.docker\.internal:3003\/\w+$/)]);
    expect(file.Parameters?.AWS_ENDPOINT_URL_EVENTBRIDGE).toBe('http://host.docker.internal:4010');
  });

  it("hands out links.updates as the browser on this machine reaches the gateway, not the container's host name", () => {
    expect(values('UPDATES_WEBSOCKET_URL')).toEqual([expect.stringMatching(/^ws:\/\/127\.0\.0\.1:3003\/\w+$/)]);
  });
});

describe('the checked-in env.json', () => {
  it('is what npm start writes for its default ports (Docker Desktop reaches them as host.docker.internal)', () => {
    const config = loadConfig(join(ROOT, 'local', 'config.json'));
    const template = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml'), region: config.region });
    const ports = {
      dynamodbPort: config.ports.dynamodb,
      s3Port: config.ports.s3,
      sfnPort: config.ports.stepfunctions,
      secretsManagerPort: config.ports.secretsmanager,
      eventBridgePort: config.ports.eventbridge,
      webSocket: { port: config.ports.websocket, apis: template.webSocketApis, region: config.region },
    };
    expect(JSON.parse(readFileSync(join(ROOT, 'env.json'), 'utf8'))).toEqual(samLocalEnvVars(template.functions, ports, containerAccess('127.0.0.1'), config.apiKeys, { principals: config.iamPrincipals ?? [], policies: template.managedPolicies }));
  });
});

describe('how a sam local container reaches the runtime', () => {
  it('warns that a loopback bind is out of reach of native Linux Docker', () => {
    expect(containerAccess('127.0.0.1')).toMatchObject({ host: 'host.docker.internal', warning: expect.stringContaining('--host 0.0.0.0') as unknown });
  });

  it('maps host.docker.internal to the gateway for a wildcard bind, and says so in the sam command', () => {
    const access = containerAccess('0.0.0.0');
    expect(access).toEqual({ host: 'host.docker.internal', addHost: 'host.docker.internal:host-gateway' });
    expect(samLocalCommand('/s/env.json', access)).toBe('sam local start-api --env-vars /s/env.json --add-host host.docker.internal:host-gateway --port 3100');
  });

  it('uses a specific bind address, such as the docker0 bridge, as it is', () => {
    expect(containerAccess('172.17.0.1')).toEqual({ host: '172.17.0.1' });
  });
});
