import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { type CorrelationKeys, type InvocationTracing, withPowertools } from './powertools';

/** One Tracer per execution environment; SDK clients are captured with it (aws-clients.ts). */
export const tracer = new Tracer();

/** A `## <function>` X-Ray subsegment per invocation, annotated with cold start and service. */
const xrayTracing: InvocationTracing = {
  begin(context: Context) {
    const parent = tracer.getSegment();
    const subsegment = parent?.addNewSubsegment(`## ${context.functionName}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    return {
      fail: (error: Error) => {
        tracer.addErrorAsMetadata(error);
      },
      end: () => {
        subsegment?.close();
        if (parent) tracer.setSegment(parent);
      },
    };
  },
};

/** The Powertools lifecycle with X-Ray tracing: for handlers that call AWS services. */
export function instrumented<E, R>(
  correlate: (event: E) => CorrelationKeys,
  handle: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return withPowertools(correlate, handle, xrayTracing);
}
