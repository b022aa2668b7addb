import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SamEnvVars } from '../../local/lambda/sam-env-vars';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';

/*
 * The local runtime for Docker and AWS CLI users: `npm start -- --host 0.0.0.0` binds every
 * endpoint on every interface, writes <state-dir>/env.json for `sam local --env-vars`, and every
 * endpoint, S3 included, takes whatever credentials a user has in the environment.
 */
jest.setTimeout(120_000);

/** Credentials shaped like a real user's, unknown to every emulator. */
const USER_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EXTERNAL_IPV4 = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

let runtime: LocalRuntimeProcess;
let bucket: string;

function s3(credentials = USER_CREDENTIALS): S3Client {
  return new S3Client({ endpoint: runtime.info.endpoints.s3, region: runtime.info.region, credentials, forcePathStyle: true });
}

beforeAll(async () => {
  runtime = await startLocalRuntime(newStateDir(), { fresh: true, host: '0.0.0.0' });
  bucket = runtime.info.buckets.ReceiptsBucket ?? '';
  await s3(runtime.info.credentials).send(new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'hello' }));
});
afterAll(async () => {
  await runtime.stop();
});

describe('npm start -- --host 0.0.0.0', () => {
  it('warns that every endpoint is open to anyone who can reach this machine', () => {
    expect(runtime.output()).toContain('warning: listening on 0.0.0.0');
  });

  (EXTERNAL_IPV4 ? it : it.skip)('answers on a non-loopback address of this machine, on every endpoint', async () => {
    const ports = [runtime.info.apiUrl, runtime.info.consoleUrl, ...Object.values(runtime.info.endpoints), ...Object.values(runtime.info.webSocketUrls)].map((url) => new URL(url).port);
    expect(ports).toHaveLength(11);
    for (const port of ports) {
      const response = await fetch(`http://${String(EXTERNAL_IPV4)}:${port}/`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBeGreaterThanOrEqual(200);
    }
  });

  it('writes env.json in SAM --env-vars format with the real ports, reachable from a container as host.docker.internal', () => {
    const envJson = join(runtime.stateDir, 'env.json');
    const file = JSON.parse(readFileSync(envJson, 'utf8')) as SamEnvVars;
    const port = (url: string) => new URL(url).port;
    expect(file.Parameters).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: `http://host.docker.internal:${port(runtime.info.endpoints.dynamodb)}`,
      AWS_ENDPOINT_URL_S3: `http://host.docker.internal:${port(runtime.info.endpoints.s3)}`,
      AWS_ENDPOINT_URL_SFN: `http://host.docker.internal:${port(runtime.info.endpoints.sfn)}`,
      S3_FORCE_PATH_STYLE: 'true',
      ORDERS_TABLE_NAME: runtime.info.tables.OrdersTable,
      RECEIPTS_BUCKET_NAME: bucket,
      // The unqualified ARN, or its live alias when the state machine publishes versions.
      STATE_MACHINE_ARN: expect.stringContaining(runtime.info.stateMachines.OrderProcessingStateMachine ?? 'missing') as unknown,
      LOCAL_API_KEYS: runtime.info.apiKeys.map((key) => `${key.id}=${key.value}`).join(','),
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://host.docker.internal:${port(runtime.info.endpoints.eventbridge)}`,
    });
    // The publisher's @connections calls leave the container; the links.updates URL is opened by a browser on this machine.
    const webSocketPort = port(Object.values(runtime.info.webSocketUrls)[0] ?? 'http://missing');
    expect(file.Parameters?.WEBSOCKET_MANAGEMENT_ENDPOINT).toMatch(new RegExp(`^http://host\\.docker\\.internal:${webSocketPort}/`));
    expect(file.Parameters?.UPDATES_WEBSOCKET_URL).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${webSocketPort}/`));
    expect(runtime.output()).toContain(`sam local start-api --env-vars ${envJson} --add-host host.docker.internal:host-gateway`);
  });
});

describe('credentials', () => {
  it('runtime.json carries the plain key pair, no SDK internals', () => {
    const text = readFileSync(join(runtime.stateDir, 'runtime.json'), 'utf8');
    expect(text).not.toContain('$source');
    expect((JSON.parse(text) as { credentials: unknown }).credentials).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  });

  it("S3 lets a client with the user's own credentials list and get objects", async () => {
    const client = s3();
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((object) => object.Key)).toContain('hello.txt');
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    expect(await object.Body?.transformToString()).toBe('hello');
  });

  it("the AWS CLI lists the bucket with the user's own credentials", () => {
    const output = execFileSync('aws', ['--endpoint-url', runtime.info.endpoints.s3, 's3', 'ls', `s3://${bucket}/`], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: USER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: USER_CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: runtime.info.region },
      encoding: 'utf8',
    });
    expect(output).toContain('hello.txt');
  });

  it('S3 still refuses an access key id that is not well formed', async () => {
    await expect(s3({ accessKeyId: 'not-a-key', secretAccessKey: 'x' }).send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
  });

  it('presigned links signed with any credentials work until they expire, and are refused after', async () => {
    const command = new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' });
    const live = await getSignedUrl(s3(), command, { expiresIn: 60 });
    expect(await (await fetch(live)).text()).toBe('hello');
    // Signed a minute ago for one second: expired, with no waiting.
    const expired = await getSignedUrl(s3(), command, { expiresIn: 1, signingDate: new Date(Date.now() - 60_000) });
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Request has expired');
  });

  it('DynamoDB and Step Functions take the same arbitrary credentials', async () => {
    const options = { region: runtime.info.region, credentials: USER_CREDENTIALS };
    const tables = await new DynamoDBClient({ ...options, endpoint: runtime.info.endpoints.dynamodb }).send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain(runtime.info.tables.OrdersTable);
    const machines = await new SFNClient({ ...options, endpoint: runtime.info.endpoints.sfn }).send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((machine) => machine.stateMachineArn)).toContain(runtime.info.stateMachines.OrderProcessingStateMachine);
  });
});
