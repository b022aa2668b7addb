import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../support/template';

/*
 * sam build installs production dependencies only: a package the functions import that package.json
 * lists only under devDependencies, or that the lock marks dev (listed in both), bundles locally and
 * in every test but fails `sam build` (it did once, for @aws-sdk/client-eventbridge).
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier));

describe('the functions\' dependencies', () => {
  it('are production dependencies, in package.json and in the lock', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const imported = new Set<string>();
    for (const file of sources(join(ROOT, 'functions'))) {
      // Type-only imports are erased by esbuild and need nothing at run time.
      for (const match of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^'"]*from '([^'.#][^']*)'/gm)) {
        const name = packageOf(match[1] ?? '');
        if (!name.startsWith('node:') && !builtinModules.includes(name)) imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    const wrong = [...imported].filter((name) => !(name in manifest.dependencies) || name in manifest.devDependencies || lock.packages[`node_modules/${name}`]?.dev === true);
    expect(wrong).toEqual([]);
  });
});
