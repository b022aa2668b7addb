import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { S3PresignedLinks } from '#adapters/s3-presigned-links';
import { translatorPython } from '../../local/template/sam-translator-check';
import { ROOT } from '../support/template';

/*
 * GET /orders/{id}/receipt presigns its links with @smithy/signature-v4 alone (no S3 client in its
 * bundle). The judge is botocore's own presigner (the AWS CLI's and boto3's, from the aws-sam-cli
 * Python that CI installs): each URL must be the same signed URL, parameter for parameter.
 */
const AT = new Date('2026-12-01T12:00:00Z');
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+with=chars' };

interface Case {
  name: string;
  region: string;
  bucket: string;
  key: string;
  endpoint?: string;
  pathStyle: boolean;
}
const CASES: Case[] = [
  { name: 'virtual-hosted on AWS', region: 'eu-west-1', bucket: 'orders-receiptsbucket-1x2y3z', key: 'receipts/ord_0123/receipt.html', pathStyle: false },
  { name: 'a key that needs escaping', region: 'us-west-2', bucket: 'orders-receipts', key: "receipts/ord_0123/receipt (copy) !'*~.json", pathStyle: false },
  { name: 'path-style on the local endpoint', region: 'us-east-1', bucket: 'local-receiptsbucket', key: 'receipts/ord_0123/receipt.html', endpoint: 'http://127.0.0.1:4569', pathStyle: true },
];

function ours(testCase: Case, withToken = true): Promise<string> {
  const { sessionToken, ...keys } = credentials;
  return new S3PresignedLinks({
    bucket: testCase.bucket,
    region: testCase.region,
    credentials: () => Promise.resolve(withToken ? { ...keys, sessionToken } : keys),
    ...(testCase.endpoint ? { endpoint: testCase.endpoint } : {}),
    forcePathStyle: testCase.pathStyle,
    now: () => AT,
  }).linkTo(testCase.key, 300);
}

/** The URL's origin and path, and its parameters as a sorted list: the order of query parameters carries no meaning. */
function parts(url: string): { origin: string; path: string; query: [string, string][] } {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: parsed.pathname, query: [...parsed.searchParams].sort(([a], [b]) => a.localeCompare(b)) };
}

describe('the receipt link presigner (S3PresignedLinks)', () => {
  it.each(CASES)("signs $name exactly as botocore's generate_presigned_url does", async (testCase) => {
    const script = join(ROOT, 'scripts', 'botocore_presign.py');
    const args = { ...credentials, region: testCase.region, pathStyle: testCase.pathStyle, endpoint: testCase.endpoint, bucket: testCase.bucket, key: testCase.key, expires: 300, at: AT.toISOString() };
    let botocore: string;
    try {
      botocore = (await promisify(execFile)(translatorPython(), [script, JSON.stringify(args)], { encoding: 'utf8', timeout: 60_000 })).stdout.trim();
    } catch (error) {
      throw new Error(`botocore is needed to judge the presigner (${translatorPython()}): set SAM_TRANSLATOR_PYTHON to the aws-sam-cli venv's python, as .ci/run does. ${String(error)}`);
    }
    expect(parts(await ours(testCase))).toEqual(parts(botocore));
  });

  it('omits the security token when the credentials have none, and the signature changes with it', async () => {
    const testCase = CASES[2] as Case;
    const withToken = new URL(await ours(testCase));
    const without = new URL(await ours(testCase, false));
    expect(without.searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect(withToken.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    expect(without.searchParams.get('X-Amz-Signature')).not.toBe(withToken.searchParams.get('X-Amz-Signature'));
  });
});
