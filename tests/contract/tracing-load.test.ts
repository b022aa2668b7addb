import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildFunction } from '../../local/lambda/build-functions';
import { tracingEnabled } from '#platform/tracing';
import { deployedEnvironment, initLoads } from '../support/init-loads';
import { localTemplate, ROOT } from '../support/template';

/*
 * The X-Ray SDK (under the Powertools Tracer) enables an async hook on every promise as soon as it
 * is loaded, so where tracing is off (npm start, sam local) the built functions must not load it at
 * all; deployed functions (Tracing: Active, AWS_EXECUTION_ENV set by Lambda) still trace.
 */
describe('tracingEnabled', () => {
  it('is on in Lambda and off where POWERTOOLS_TRACE_ENABLED is false, under sam local, Amplify mock, or outside Lambda', () => {
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(true);
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'FALSE ' })).toBe(false);
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
    expect(tracingEnabled({})).toBe(false);
  });
});

describe('the built functions load the X-Ray SDK only where tracing is on', () => {
  // Under the project (gitignored .local/, absent in a fresh clone), so the bundles' external requires resolve from its node_modules.
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, '.local', 'tracing-load-'));
  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  /** Whether the X-Ray SDK's UDP emitter (node:dgram) and async-hook namespace were loaded when the bundle was required in a fresh process. */
  const xrayLoads = (bundle: string, environment: Record<string, string>) => {
    const { dgram, xray } = initLoads(bundle, environment);
    return { dgram, namespace: xray };
  };

  it('CreateShipmentFunction: not loaded with POWERTOOLS_TRACE_ENABLED=false (the local runtime), loaded and active in Lambda', async () => {
    const fn = localTemplate().functions.find((candidate) => candidate.logicalId === 'CreateShipmentFunction');
    if (!fn) throw new Error('CreateShipmentFunction is not in the template');
    const bundle = await buildFunction(fn, ROOT, outDir);
    const lambda = deployedEnvironment(fn, outDir);
    expect(xrayLoads(bundle, { ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' })).toEqual({ dgram: false, namespace: false });
    expect(xrayLoads(bundle, lambda)).toEqual({ dgram: true, namespace: true });
    // The same with a sampled DEBUG log line at init, as 2% of deployed cold starts have.
    expect(xrayLoads(bundle, { ...lambda, POWERTOOLS_LOGGER_SAMPLE_RATE: '1' })).toEqual({ dgram: true, namespace: true });
  }, 60_000);
});
