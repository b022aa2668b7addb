import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { AwsCallTracing } from '#adapters/s3-signed-put';
import type { Context } from 'aws-lambda';
import { type CorrelationKeys, type InvocationTracing, withPowertools } from './powertools';

/**
 * Whether this execution environment traces, by the Powertools Tracer's own rule: on in Lambda
 * (AWS_EXECUTION_ENV is set) unless POWERTOOLS_TRACE_ENABLED is false, off under `sam local`
 * (AWS_SAM_LOCAL) and Amplify's mock. The local runtime sets POWERTOOLS_TRACE_ENABLED=false (no
 * X-Ray daemon runs there).
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (name: string) => env[name]?.trim() ?? '';
  if (value('POWERTOOLS_TRACE_ENABLED').toLowerCase() === 'false') return false;
  const executionEnv = value('AWS_EXECUTION_ENV');
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && value('AWS_SAM_LOCAL') === '';
}

/**
 * One Tracer per execution environment that traces, and none elsewhere. Loading the Tracer loads
 * the X-Ray SDK, whose import alone costs about a third of a task function's init (semver, cls-hooked,
 * the UDP emitter) and enables an async hook that runs on every promise for the life of the process.
 * A disabled Tracer pays both and records nothing, so where tracing is off (npm start, sam local)
 * it is never loaded: xray-tracer.ts is bundled, but esbuild runs a require()d module only when it is called.
 */
function loadTracer(): Tracer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load: a static import would run the X-Ray SDK at every init.
  const { createTracer } = require('./xray-tracer') as typeof import('./xray-tracer');
  return createTracer();
}

/** The Tracer, where tracing is on; undefined where it is off. */
export const tracer: Tracer | undefined = tracingEnabled() ? loadTracer() : undefined;

/** An AWS SDK v3 client captured by the Tracer (one X-Ray subsegment per call) when tracing is on; the client itself otherwise. */
export function traced<Client>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/**
 * What tracer.captureAWSv3Client records for an SDK call, for the S3 calls made without the SDK
 * client (adapters/s3-signed-put.ts): an `S3` subsegment in the `aws` namespace with the operation,
 * region, bucket, key, request ids and attempts, the HTTP status and the throttle/error/fault flags,
 * and the X-Amzn-Trace-Id header that links S3's own trace to it. Undefined where tracing is off.
 */
function xrayAwsCalls(active: Tracer): AwsCallTracing {
  return {
    begin(call) {
      const parent = active.getSegment();
      if (!parent) return { end: () => undefined };
      const subsegment = parent.addNewSubsegment(call.service);
      subsegment.addAttribute('namespace', 'aws');
      const traceHeader = `Root=${active.getRootXrayTraceId() ?? ''};Parent=${subsegment.id};Sampled=${active.isTraceSampled() ? '1' : '0'}`;
      return {
        traceHeader,
        end({ metadata, error }) {
          subsegment.addAttribute('aws', {
            operation: call.operation,
            region: call.region,
            bucket_name: call.bucket,
            key: call.key,
            ...(metadata.requestId ? { request_id: metadata.requestId } : {}),
            ...(metadata.extendedRequestId ? { id_2: metadata.extendedRequestId } : {}),
            retries: Math.max(0, (metadata.attempts ?? 1) - 1),
          });
          const status = metadata.httpStatusCode;
          if (status !== undefined) subsegment.addAttribute('http', { response: { status } });
          if (status === 429 || error?.name === 'SlowDown') subsegment.addThrottleFlag();
          if (status !== undefined && status >= 500) subsegment.addFaultFlag();
          else if (error) subsegment.addErrorFlag();
          if (error) subsegment.addError(error, true);
          subsegment.close();
        },
      };
    },
  };
}

/** X-Ray subsegments for S3 calls made without the SDK client, where tracing is on. */
export const awsCallTracing: AwsCallTracing | undefined = tracer ? xrayAwsCalls(tracer) : undefined;

/** A `## <function>` X-Ray subsegment per invocation, annotated with cold start and service. */
function xrayTracing(active: Tracer): InvocationTracing {
  return {
    begin(context: Context) {
      const parent = active.getSegment();
      const subsegment = parent?.addNewSubsegment(`## ${context.functionName}`);
      if (subsegment) active.setSegment(subsegment);
      active.annotateColdStart();
      active.addServiceNameAnnotation();
      return {
        fail: (error: Error) => {
          active.addErrorAsMetadata(error);
        },
        end: () => {
          subsegment?.close();
          if (parent) active.setSegment(parent);
        },
      };
    },
  };
}

const invocationTracing = tracer ? xrayTracing(tracer) : undefined;

/** The Powertools lifecycle, with X-Ray tracing where tracing is on: for handlers that call AWS services. */
export function instrumented<E, R>(
  correlate: (event: E) => CorrelationKeys,
  handle: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return withPowertools(correlate, handle, invocationTracing);
}
