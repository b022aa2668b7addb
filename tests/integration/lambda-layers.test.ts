import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBootstrap } from '../../local/lambda/build-functions';
import { LambdaService } from '../../local/lambda/lambda-service';
import { loadLocalTemplate } from '../../local/template/local-template';
import type { LocalLayer } from '../../local/template/local-template';
import { localFunction } from '../support/local-function';
import { ROOT } from '../support/template';

/*
 * Layers in the local Lambda service: a function's bundle resolves what it left External from its
 * layers and the runtime's AWS SDK only, as on Lambda (/var/task has no node_modules; NODE_PATH has
 * /opt/nodejs/node_modules and the runtime's SDK). The bundles sit under the project, where plain
 * Node resolution would find the project's node_modules (and Stripe) from any of them.
 */
jest.setTimeout(60_000);

mkdirSync(join(ROOT, '.local'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.local', 'lambda-layers-'));
const outsideDir = mkdtempSync(join(tmpdir(), 'lambda-layers-'));
const LOADS = `exports.handler = async (event) => {
  try {
    // require(), as the CJS bundles load what they left External (esbuild turns import() into it), or import().
    const loaded = event.via === 'import' ? await import(event.module) : require(event.module);
    return { loaded: typeof (loaded.default ?? loaded) };
  } catch (error) {
    return { error: error.message };
  }
};`;

const stripeLayer = (): LocalLayer => {
  const fn = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') }).functions.find((candidate) => candidate.logicalId === 'AuthorizePaymentFunction');
  const layer = fn?.layers.find((candidate) => candidate.logicalId === 'StripeSdkLayer');
  if (!layer) throw new Error('AuthorizePaymentFunction has no StripeSdkLayer');
  return layer;
};

let lambda: LambdaService | undefined;
let bootstrap: string;

beforeAll(async () => {
  bootstrap = await buildBootstrap(ROOT, dir);
});
afterAll(async () => {
  await lambda?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outsideDir, { recursive: true, force: true });
});

describe('Layers in the local Lambda service', () => {
  it('lets a function with the Stripe layer load stripe, and not one without it (or any other package outside its bundle), while the AWS SDK resolves for both', async () => {
    // One copy under the project (its node_modules above it must not leak in), one outside it (only the layer can supply stripe there).
    const inProject = join(dir, 'loads.js');
    const outside = join(outsideDir, 'loads.js');
    writeFileSync(inProject, LOADS);
    writeFileSync(outside, LOADS);
    const functions = [
      localFunction('WithLayer', { layers: [stripeLayer()] }),
      localFunction('WithLayerOutside', { layers: [stripeLayer()] }),
      localFunction('WithoutLayer'),
    ];
    const bundles = new Map([['WithLayer', inProject], ['WithLayerOutside', outside], ['WithoutLayer', inProject]]);
    lambda = new LambdaService(functions, bundles, bootstrap, {
      sharedEnvironment: {},
      maxConcurrencyPerFunction: 1,
      log: () => undefined,
    });
    const load = async (name: string, module: string, via: 'require' | 'import' = 'require') => {
      const result = await lambda?.invoke(name, { module, via });
      return result?.ok ? result.payload : result;
    };
    expect(await load('WithLayer', 'stripe')).toEqual({ loaded: 'function' });
    expect(await load('WithLayerOutside', 'stripe')).toEqual({ loaded: 'function' });
    expect(await load('WithLayerOutside', 'stripe', 'import')).toEqual({ loaded: 'function' });
    expect(await load('WithoutLayer', 'stripe', 'import')).toEqual({ error: expect.stringMatching(/^Cannot find module 'stripe'/) as unknown });
    expect(await load('WithoutLayer', 'stripe')).toEqual({ error: expect.stringMatching(/^Cannot find module 'stripe'/) as unknown });
    // A package the project has installed but no layer supplies: on Lambda it is nowhere.
    expect(await load('WithLayer', 'semver')).toEqual({ error: expect.stringMatching(/^Cannot find module 'semver'/) as unknown });
    expect(await load('WithoutLayer', '@aws-sdk/client-s3')).toEqual({ loaded: 'object' });
    expect(await load('WithoutLayer', 'node:crypto')).toEqual({ loaded: 'object' });
  });

  it('refuses to start a function whose layer pins a version the project does not have installed, saying which', () => {
    const layerDir = join(dir, 'old-stripe-layer');
    mkdirSync(layerDir);
    writeFileSync(join(layerDir, 'package.json'), JSON.stringify({ dependencies: { stripe: '1.0.0' } }));
    const layer: LocalLayer = { logicalId: 'OldStripeLayer', arn: 'arn:aws:lambda:us-east-1:000000000000:layer:OldStripeLayer:1', contentDir: layerDir, buildMethod: 'nodejs24.x' };
    expect(() => new LambdaService([localFunction('Old', { layers: [layer] })], new Map(), bootstrap, { sharedEnvironment: {}, maxConcurrencyPerFunction: 1, log: () => undefined })).toThrow(
      /OldStripeLayer: .*wants stripe@1\.0\.0, but .*node_modules\/stripe is \d+\.\d+\.\d+/,
    );
  });
});
