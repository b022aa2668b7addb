import { join } from 'node:path';
import { type BuildOptions, build, stop } from 'esbuild';
import type { LocalFunction } from '../template/local-template';

/** The esbuild options `sam build` uses for a function, from its Metadata BuildProperties. */
export function functionBuildOptions(fn: LocalFunction, rootDir: string, outDir: string): BuildOptions & { outfile: string } {
  const props = fn.buildProperties;
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : undefined);
  const outfile = join(outDir, fn.logicalId, `${fn.handler.split('.')[0] ?? 'index'}.js`);
  const options: BuildOptions & { outfile: string } = {
    absWorkingDir: rootDir,
    entryPoints: [fn.entryPoint],
    bundle: true,
    platform: (props.Platform as BuildOptions['platform'] | undefined) ?? 'node',
    format: (props.Format as BuildOptions['format'] | undefined) ?? 'cjs',
    target: typeof props.Target === 'string' ? props.Target : 'es2023',
    minify: props.Minify === true,
    sourcemap: props.Sourcemap === true,
    outfile,
    logLevel: 'warning',
  };
  const mainFields = list(props.MainFields);
  if (mainFields) options.mainFields = mainFields;
  const external = list(props.External);
  if (external) options.external = external;
  return options;
}

/** Bundles one function the way `sam build` does, with the esbuild settings from its Metadata. */
export async function buildFunction(fn: LocalFunction, rootDir: string, outDir: string): Promise<string> {
  const options = functionBuildOptions(fn, rootDir, outDir);
  await build(options);
  return options.outfile;
}

/** Bundles the runtime's own worker bootstrap (TypeScript) to plain JS once per start. */
export async function buildBootstrap(rootDir: string, outDir: string): Promise<string> {
  const outfile = join(outDir, '_environment-bootstrap.js');
  await build({
    absWorkingDir: rootDir,
    entryPoints: [join(__dirname, 'environment-bootstrap.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2023',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Ends esbuild's service process once every bundle is built. It stays alive between builds and,
 * after bundling every function, holds about 800 MB: most of the runtime's idle memory. A later
 * build (the dev loop's rebuilds) starts a new one.
 */
export async function stopBuildService(): Promise<void> {
  await stop();
}
