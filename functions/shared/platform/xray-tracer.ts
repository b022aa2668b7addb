import { Tracer } from '@aws-lambda-powertools/tracer';

/*
 * Apart from tracing.ts so that the Tracer (and the X-Ray SDK under it) load only when tracing.ts
 * asks for them: tracing.ts require()s this module where tracing is on. Through a module of our own,
 * the bundle keeps the Tracer's ES module build, which shares @aws-lambda-powertools/commons with
 * the Logger and Metrics; require()ing the package itself would add its CommonJS build beside them.
 */

/** A new Powertools Tracer, configured by the POWERTOOLS_* variables. */
export function createTracer(): Tracer {
  return new Tracer();
}
