// ESM and CJS builds of each entry point (esbuild), and the declarations (tsc).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { execPath } from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });

const common = {
  entryPoints: [join(here, 'src', 'index.ts'), join(here, 'src', 'sigv4.ts')],
  bundle: true,
  // The signing packages stay dependencies, resolved by the consumer's bundler or Node.
  packages: 'external',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outdir: join(dist, 'esm'), outExtension: { '.js': '.mjs' } });
await build({ ...common, format: 'cjs', outdir: join(dist, 'cjs') });
execFileSync(execPath, [join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
