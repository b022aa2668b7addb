import { join } from 'node:path';
import { LayerError, type LayerModules, functionLayerModules } from '../../../local/lambda/layers';
import type { LocalLayer } from '../../../local/template/local-template';
import { ROOT } from '../../support/template';

/** A layer as the template reader gives it. */
function layer(logicalId: string, contentDir: string): LocalLayer {
  return { logicalId, arn: `arn:aws:lambda:us-east-1:000000000000:layer:${logicalId}:1`, contentDir, buildMethod: 'nodejs24.x' };
}

describe("a function's layer packages (local/lambda/layers.ts)", () => {
  it("checks the template's Stripe layer against node_modules, and a later layer's package wins", () => {
    const stripe = layer('StripeSdkLayer', join(ROOT, 'layers', 'stripe-sdk'));
    expect(functionLayerModules([stripe])).toEqual({ stripe: join(ROOT, 'node_modules') });
    const checked = new Map<string, LayerModules>([['Other', { stripe: '/elsewhere', extra: '/elsewhere' }]]);
    expect(functionLayerModules([stripe, layer('Other', '/nowhere')], checked)).toEqual({ stripe: '/elsewhere', extra: '/elsewhere' });
  });

  it('reads a layer shared by several functions once when they pass the same map', () => {
    const missing = layer('Gone', join(ROOT, 'no-such-layer-dir'));
    expect(() => functionLayerModules([missing])).toThrow(LayerError);
    // Once checked, the map answers: the directory is not read again (reading it would throw).
    const checked = new Map<string, LayerModules>([['Gone', { left: '/checked' }]]);
    expect(functionLayerModules([missing], checked)).toEqual({ left: '/checked' });
    const shared = layer('StripeSdkLayer', join(ROOT, 'layers', 'stripe-sdk'));
    const fresh = new Map<string, LayerModules>();
    functionLayerModules([shared], fresh);
    expect(fresh.get('StripeSdkLayer')).toEqual({ stripe: join(ROOT, 'node_modules') });
  });
});
