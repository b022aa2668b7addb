import type { Tracer } from '@aws-lambda-powertools/tracer';
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
