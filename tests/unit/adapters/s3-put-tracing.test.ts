import type { AwsCallTracing } from '#adapters/s3-signed-put';

/*
 * Where tracing is on (Lambda), a signed S3 PUT is recorded as tracer.captureAWSv3Client records an
 * SDK call: an `S3` subsegment in the `aws` namespace with the operation, bucket, key, request ids and
 * retries, the HTTP status and the flags. Loaded with Lambda's variables, so the X-Ray SDK runs in its
 * Lambda mode (a facade segment from _X_AMZN_TRACE_ID); segments go to a UDP port nobody listens on.
 */
interface RecordedSubsegment {
  name: string;
  id: string;
  namespace?: string;
  aws?: Record<string, unknown>;
  http?: { response?: { status?: number } };
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  in_progress?: boolean;
}

describe('X-Ray subsegments for signed S3 calls', () => {
  const saved = { ...process.env };
  let tracing: AwsCallTracing | undefined;
  let facade: { subsegments?: RecordedSubsegment[] } | undefined;

  beforeAll(() => {
    Object.assign(process.env, {
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      POWERTOOLS_TRACE_ENABLED: 'true',
      LAMBDA_TASK_ROOT: '/var/task',
      AWS_LAMBDA_FUNCTION_NAME: 'GenerateReceipt',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
    });
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the Lambda variables are set, in its own module registry.
      const module = require('#platform/tracing') as typeof import('#platform/tracing');
      tracing = module.awsCallTracing;
      facade = module.tracer?.getSegment();
    });
  });
  afterAll(() => {
    process.env = saved;
  });

  it('records a successful PutObject after a retry, and a failed one as a fault', () => {
    if (!tracing) throw new Error('tracing should be on with Lambda variables');
    const call = { service: 'S3', operation: 'PutObject', region: 'eu-west-1', bucket: 'receipts', key: 'receipts/o1/receipt.html' } as const;
    const ok = tracing.begin(call);
    const okSubsegment = facade?.subsegments?.at(-1);
    ok.end({ metadata: { httpStatusCode: 200, requestId: 'R1', extendedRequestId: 'I2', attempts: 2 } });
    const failed = tracing.begin(call);
    const failedSubsegment = facade?.subsegments?.at(-1);
    failed.end({ metadata: { httpStatusCode: 503, attempts: 3 }, error: Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' }) });

    expect(ok.traceHeader).toBe(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${okSubsegment?.id ?? '?'};Sampled=1`);
    expect(okSubsegment).toMatchObject({ name: 'S3', namespace: 'aws', aws: { operation: 'PutObject', region: 'eu-west-1', bucket_name: 'receipts', key: 'receipts/o1/receipt.html', request_id: 'R1', id_2: 'I2', retries: 1 }, http: { response: { status: 200 } } });
    expect(okSubsegment?.in_progress).toBeFalsy();
    expect(okSubsegment?.fault).toBeFalsy();
    expect(failedSubsegment).toMatchObject({ name: 'S3', aws: { retries: 2 }, http: { response: { status: 503 } }, fault: true, throttle: true });
  });
});
