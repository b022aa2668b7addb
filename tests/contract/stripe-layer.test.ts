import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { functionBuildOptions } from '../../local/lambda/build-functions';
import { loadLocalTemplate } from '../../local/template/local-template';
import { ROOT, loadTemplate, resourcesOfType } from '../support/template';

/*
 * The Stripe SDK ships in StripeSdkLayer, not in the payment functions' bundles (docs/performance.md,
 * Cold start): bundled, it was parsed at every cold start. Every bundle is built as `sam build` and
 * the local runtime build it (the template's esbuild Metadata), and its esbuild metafile says what
 * went in and what it left to be required at run time.
 */
jest.setTimeout(120_000);

interface Lock {
  packages: Record<string, { version?: string; integrity?: string }>;
}
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const STRIPE_SDK = /(^|\/)node_modules\/stripe\//;

describe('StripeSdkLayer', () => {
  it('pins exactly the Stripe SDK of the root package-lock, and its own lock has the same package', () => {
    const root = (readJson('package-lock.json') as Lock).packages['node_modules/stripe'];
    const layer = readJson('layers/stripe-sdk/package.json') as { dependencies: Record<string, string> };
    const layerLock = (readJson('layers/stripe-sdk/package-lock.json') as Lock).packages['node_modules/stripe'];
    expect(root?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(layer.dependencies).toEqual({ stripe: root?.version });
    expect({ version: layerLock?.version, integrity: layerLock?.integrity }).toEqual({ version: root?.version, integrity: root?.integrity });
  });

  it('is in every function whose bundle requires stripe, and no bundle contains the SDK', async () => {
    const { functions } = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') });
    const bundles = await Promise.all(
      functions.map(async (fn) => {
        const { metafile } = await build({ ...functionBuildOptions(fn, ROOT, join(ROOT, '.local', 'stripe-layer-contract')), write: false, metafile: true, minify: false, logLevel: 'silent' });
        const requiresStripe = Object.values(metafile.inputs).some((input) => input.imports.some((imported) => imported.external === true && /^stripe(\/|$)/.test(imported.path)));
        return {
          fn: fn.logicalId,
          bundledSdkFiles: Object.keys(metafile.inputs).filter((input) => STRIPE_SDK.test(input)).length,
          requiresStripe,
          hasLayer: fn.layers.some((layer) => layer.logicalId === 'StripeSdkLayer'),
        };
      }),
    );
    expect(bundles.filter((bundle) => bundle.bundledSdkFiles > 0)).toEqual([]);
    expect(bundles.filter((bundle) => bundle.requiresStripe !== bundle.hasLayer)).toEqual([]);
    expect(bundles.filter((bundle) => bundle.requiresStripe).map((bundle) => bundle.fn).sort()).toEqual(['AuthorizePaymentFunction', 'CapturePaymentFunction', 'VoidPaymentFunction']);
  });

  it('is listed as a plain !Ref, whatever the PaymentProvider: SAM CLI skips a Layers entry it would have to resolve (an !If), so sam local invoke would run without the SDK', () => {
    for (const [id, resource] of resourcesOfType('AWS::Serverless::Function')) {
      const layers: unknown = resource.Properties?.Layers;
      if (layers === undefined) continue;
      const plain = (layer: unknown) => typeof layer === 'string' || (typeof layer === 'object' && layer !== null && Object.keys(layer).join() === 'Ref');
      expect({ id, layers: Array.isArray(layers) && layers.every(plain) }).toEqual({ id, layers: true });
    }
    expect(loadTemplate().Resources.StripeSdkLayer?.Condition).toBeUndefined();
  });
});
