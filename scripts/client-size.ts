import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/*
 * npm run client:size: what the client adds to an application, bundled with everything it imports
 * and minified (esbuild), raw and gzipped. The core is what a browser storefront ships; the SigV4
 * entry adds the signing and the credential providers for Node.
 */
const ROOT = join(__dirname, '..');

async function measure(entry: string, platform: 'browser' | 'node'): Promise<{ bytes: number; gzip: number }> {
  const result = await build({ entryPoints: [join(ROOT, 'client', 'src', entry)], bundle: true, minify: true, format: 'esm', platform, target: 'es2022', write: false, legalComments: 'none', logLevel: 'silent' });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced nothing for ${entry}`);
  return { bytes: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

async function main(): Promise<void> {
  const rows = [
    { bundle: 'core (index.ts, browser)', ...(await measure('index.ts', 'browser')) },
    { bundle: 'sigv4 (sigv4.ts with signing and credential providers, node)', ...(await measure('sigv4.ts', 'node')) },
  ];
  console.table(rows);
}

void main();
