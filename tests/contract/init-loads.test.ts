import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildFunction } from '../../local/lambda/build-functions';
import { deployedEnvironment, initLoads } from '../support/init-loads';
import { localTemplate, ROOT } from '../support/template';

/*
 * What the built functions evaluate at init, as deployed (Tracer on, the prod stage's log sampling).
 * Two things no first call needs are kept out of every cold start (docs/performance.md, cold start):
 *   - node:crypto in functions that never hash: the Powertools Logger took it only for its sampling
 *     draw (patches/runtime), and the sam local API key and SigV4 checks take it on first use;
 *   - semver, which the X-Ray SDK and cls-hooked evaluated at load for version checks that Node 24
 *     and the SDK v3 never need (patches/runtime).
 * CI checks `sam build`'s own bundles the same way (scripts/check-init-loads.ts).
 */
describe('what the built functions load at init', () => {
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, '.local', 'init-loads-'));
  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });
  const functionNamed = (logicalId: string) => {
    const fn = localTemplate().functions.find((candidate) => candidate.logicalId === logicalId);
    if (!fn) throw new Error(`${logicalId} is not in the template`);
    return fn;
  };

  it('the probe sees node:crypto and semver when they do load', () => {
    // Without this, a probe that never saw either would pass every check below.
    expect(initLoads('node:crypto', {})).toMatchObject({ crypto: true, semver: false });
    expect(initLoads(require.resolve('semver'), {})).toMatchObject({ crypto: false, semver: true });
    expect(initLoads(require.resolve('semver', { paths: [join(ROOT, 'node_modules', 'cls-hooked')] }), {})).toMatchObject({ semver: true });
  });

  it('ListProductsFunction (no AWS calls) does not load node:crypto', async () => {
    const fn = functionNamed('ListProductsFunction');
    const bundle = await buildFunction(fn, ROOT, outDir);
    expect(initLoads(bundle, deployedEnvironment(fn, outDir))).toEqual({ crypto: false, semver: false, xray: false, dgram: false });
  }, 60_000);

  it('a traced function loads the X-Ray SDK and cls-hooked but no semver', async () => {
    const fn = functionNamed('CreateShipmentFunction');
    const bundle = await buildFunction(fn, ROOT, outDir);
    expect(initLoads(bundle, deployedEnvironment(fn, outDir))).toEqual({ crypto: true, semver: false, xray: true, dgram: true });
  }, 60_000);
});
