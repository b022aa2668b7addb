import { GetObjectCommand } from '@aws-sdk/client-s3';
import { S3SignedPut, S3ServiceError } from '#adapters/s3-signed-put';
import { type LocalS3, S3RVER_CREDENTIALS, startS3 } from '../support/s3rver';

/*
 * The signed PUT against s3rver (the local runtime's S3, path style on AWS_ENDPOINT_URL_S3): the
 * object reads back through the SDK byte for byte, with its content type.
 */
describe('S3SignedPut against s3rver', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3(['receipts']);
  });
  afterAll(async () => {
    await s3.close();
  });

  const put = () => new S3SignedPut({ region: 'us-east-1', credentials: () => Promise.resolve(S3RVER_CREDENTIALS), endpoint: s3.endpoint, forcePathStyle: true });

  it('writes an object the SDK reads back, with its content type, under a key that needs encoding', async () => {
    const key = 'receipts/ord 1+é/receipt.html';
    const body = '<html><body>Total: 12,00 € — ünïcödé</body></html>';
    const output = await put().putObject({ Bucket: 'receipts', Key: key, Body: body, ContentType: 'text/html; charset=utf-8' });
    expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    const read = await s3.client.send(new GetObjectCommand({ Bucket: 'receipts', Key: key }));
    expect(await read.Body?.transformToString()).toBe(body);
    expect(read.ContentType).toBe('text/html; charset=utf-8');
  });

  // s3rver checks the access key but not SigV4 signatures; tests/contract/s3-signed-put-signature.test.ts holds the signature to botocore's.
  it('is refused by S3 with an unknown access key, named by the S3 error code and not retried', async () => {
    const wrong = new S3SignedPut({ region: 'us-east-1', credentials: () => Promise.resolve({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'S3RVER' }), endpoint: s3.endpoint, forcePathStyle: true });
    const error = await wrong.putObject({ Bucket: 'receipts', Key: 'x.json', Body: '{}' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(S3ServiceError);
    expect(error).toMatchObject({ name: 'InvalidAccessKeyId', $fault: 'client', $metadata: { httpStatusCode: 403, attempts: 1 } });
  });
});
