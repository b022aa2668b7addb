import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import { S3SignedPut } from '#adapters/s3-signed-put';
import { translatorPython } from '../../local/template/sam-translator-check';
import { ROOT } from '../support/template';

/*
 * GenerateReceipt writes receipts with a SigV4-signed PUT of its own (no S3 client in its bundle),
 * and s3rver does not check SigV4 signatures, so the judge is botocore's S3 signer (the AWS CLI's
 * and boto3's, from the aws-sam-cli Python that CI installs): given the headers our PUT signed and
 * its body at the same time, it must produce the same Authorization header.
 */
const AT = new Date('2026-12-01T12:00:00Z');
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+with=chars' };

const CASES = [
  { name: 'virtual-hosted on AWS, with SSE headers', region: 'eu-west-1', bucket: 'orders-receiptsbucket-1x2y3z', key: 'receipts/ord_0123/receipt.html', body: '<p>Total: 12,00 €</p>', sse: true },
  { name: 'a key that needs escaping', region: 'us-west-2', bucket: 'orders-receipts', key: "receipts/ord 0123/receipt (copy) !'*~+é.json", body: '{"total":1200}', sse: false },
  { name: 'path style on the local endpoint', region: 'us-east-1', bucket: 'local-receiptsbucket', key: 'receipts/ord_0123/receipt.html', body: '<p>x</p>', endpoint: 'http://127.0.0.1:4569', sse: false },
];

async function ourRequest(testCase: (typeof CASES)[number]): Promise<HttpRequest> {
  let captured: HttpRequest | undefined;
  const put = new S3SignedPut({
    region: testCase.region,
    credentials: () => Promise.resolve(credentials),
    ...(testCase.endpoint ? { endpoint: testCase.endpoint, forcePathStyle: true } : {}),
    now: () => AT,
    httpHandler: {
      handle(request: HttpRequest) {
        captured = request;
        return Promise.resolve({ response: new HttpResponse({ statusCode: 200, headers: {}, body: Readable.from([]) }) });
      },
    },
  });
  await put.putObject({ Bucket: testCase.bucket, Key: testCase.key, Body: testCase.body, ContentType: 'text/html; charset=utf-8', ...(testCase.sse ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k' } : {}) });
  if (!captured) throw new Error('no request was sent');
  return captured;
}

describe('the signed receipt PUT (S3SignedPut)', () => {
  it.each(CASES)("signs $name exactly as botocore's S3 SigV4 signer does", async (testCase) => {
    const request = await ourRequest(testCase);
    const authorization = request.headers.authorization ?? '';
    const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    expect(signedNames).toEqual(expect.arrayContaining(['host', 'content-md5', 'content-type', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']));
    // botocore derives the host, the date, the payload hash and the token itself; it gets the other signed headers as sent.
    const given = Object.fromEntries(Object.entries(request.headers).filter(([name]) => signedNames.includes(name) && !['host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'].includes(name)));
    const url = `${request.protocol}//${request.hostname}${request.port === undefined ? '' : `:${String(request.port)}`}${request.path}`;
    const args = { ...credentials, region: testCase.region, url, headers: given, body: testCase.body, at: AT.toISOString() };
    let botocore: string;
    try {
      botocore = (await promisify(execFile)(translatorPython(), [join(ROOT, 'scripts', 'botocore_sign_put.py'), JSON.stringify(args)], { encoding: 'utf8', timeout: 60_000 })).stdout.trim();
    } catch (error) {
      throw new Error(`botocore is needed to judge the signed PUT (${translatorPython()}): set SAM_TRANSLATOR_PYTHON to the aws-sam-cli venv's python, as .ci/run does. ${String(error)}`);
    }
    expect(authorization).toBe(botocore);
  });
});
