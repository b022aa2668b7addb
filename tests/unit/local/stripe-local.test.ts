import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertStripeMockAvailable } from '../../../local/payments/stripe-local';
import type { LocalFunction } from '../../../local/template/local-template';
import { loadLocalTemplate } from '../../../local/template/local-template';
import { ROOT } from '../../support/template';

describe('the local runtime and stripe-mock', () => {
  const saved = { bin: process.env.STRIPE_MOCK_BIN, path: process.env.PATH };
  afterEach(() => {
    process.env.PATH = saved.path;
    if (saved.bin === undefined) delete process.env.STRIPE_MOCK_BIN;
    else process.env.STRIPE_MOCK_BIN = saved.bin;
  });
  const noStripeMockAnywhere = () => {
    process.env.PATH = '';
    process.env.STRIPE_MOCK_BIN = join(tmpdir(), 'no-such-stripe-mock');
    return mkdtempSync(join(tmpdir(), 'no-tools-'));
  };
  const functions = (parameterOverrides: Record<string, string>): LocalFunction[] => loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml'), parameterOverrides }).functions;

  it('refuses PaymentProvider=stripe without stripe-mock, saying how to install it', () => {
    const root = noStripeMockAnywhere();
    expect(() => { assertStripeMockAvailable(root, functions({ PaymentProvider: 'stripe' })); }).toThrow(
      /PaymentProvider=stripe .*stripe-mock, which is not installed.*go install github\.com\/stripe\/stripe-mock@v0\.203\.0/,
    );
  });

  it('needs no stripe-mock for the simulator', () => {
    const root = noStripeMockAnywhere();
    expect(() => { assertStripeMockAvailable(root, functions({})); }).not.toThrow();
  });
});
