import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';

/** One Logger, Tracer and Metrics per execution environment, configured by POWERTOOLS_* variables. */
export const logger = new Logger();
export const tracer = new Tracer();
export const metrics = new Metrics();
export { MetricUnit };

/** Keys that identify the unit of work in every log line of one invocation. */
export interface CorrelationKeys {
  orderId?: string;
  executionId?: string;
}

/**
 * Wraps a handler with the Powertools lifecycle: Lambda context and correlation keys on the
 * logger, a `## handler` X-Ray subsegment, cold-start metric and a metrics flush.
 * Written by hand instead of middy so the bundle stays CJS-only and small.
 */
export function instrumented<E, R>(
  correlate: (event: E) => CorrelationKeys,
  handle: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ ...correlate(event) });
    metrics.captureColdStartMetric();
    const parent = tracer.getSegment();
    const subsegment = parent?.addNewSubsegment(`## ${context.functionName}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await handle(event, context);
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment?.close();
      if (parent) tracer.setSegment(parent);
      // Functions without business metrics (reads) would otherwise warn on every invocation.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
