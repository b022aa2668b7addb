import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';

/*
 * One Logger and Metrics per execution environment, configured by POWERTOOLS_* variables. The
 * Tracer lives in tracing.ts: it loads the X-Ray SDK (about half of a small function's init), so
 * only functions that call AWS services import it.
 */
export const logger = new Logger();
export const metrics = new Metrics();
export { MetricUnit };

/** Keys that identify the unit of work in every log line of one invocation. */
export interface CorrelationKeys {
  orderId?: string;
  executionId?: string;
}

/** What a tracer adds around one invocation: open a span, record an error, close the span. */
export interface InvocationTracing {
  begin(context: Context): { fail(error: Error): void; end(): void };
}

/**
 * Wraps a handler with the Powertools lifecycle: Lambda context and correlation keys on the
 * logger, the cold-start metric and a metrics flush, and the tracing given (tracing.ts).
 * Written by hand instead of middy so the bundle stays CJS-only and small.
 */
export function withPowertools<E, R>(
  correlate: (event: E) => CorrelationKeys,
  handle: (event: E, context: Context) => Promise<R>,
  tracing?: InvocationTracing,
): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    // A new log-sampling draw for each invocation (Powertools draws once per environment otherwise).
    logger.refreshSampleRateCalculation();
    logger.addContext(context);
    logger.appendKeys({ ...correlate(event) });
    metrics.captureColdStartMetric();
    const span = tracing?.begin(context);
    try {
      return await handle(event, context);
    } catch (error) {
      span?.fail(error as Error);
      throw error;
    } finally {
      span?.end();
      // Functions without business metrics (reads) would otherwise warn on every invocation.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
