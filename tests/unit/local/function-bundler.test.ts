import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopBuildService } from '../../../local/lambda/build-functions';
import { FunctionBundler } from '../../../local/lambda/function-bundler';
import type { LocalFunction } from '../../../local/template/local-template';

/*
 * The functions' bundle cache and incremental rebuilds, on a tiny project in a temp dir: a start
 * with nothing changed reuses the bundle, any input, option or resolution file that changed
 * rebuilds it, and a build error leaves the previous bundle in place.
 */
jest.setTimeout(60_000);

const root = mkdtempSync(join(tmpdir(), 'bundler-root-'));
const out = join(root, 'build');
const fn: LocalFunction = {
  logicalId: 'HelloFunction',
  name: 'hello',
  arn: 'arn:aws:lambda:us-east-1:123456789012:function:hello',
  runtime: 'nodejs24.x',
  handler: 'index.handler',
  entryPoint: 'functions/hello/index.ts',
  buildProperties: { Format: 'cjs' },
  timeoutSeconds: 3,
  memoryMb: 128,
  architecture: 'arm64',
  environment: {},
  routes: [],
  layers: [],
};

/** Writes a file dated a minute ago, as a file saved well before the build. */
function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

const greeting = join(root, 'functions', 'hello', 'greeting.ts');
beforeAll(() => {
  write(join(root, 'package.json'), '{"name":"fixture","private":true}');
  write(join(root, 'functions', 'hello', 'index.ts'), "import { greeting } from './greeting';\nexport const handler = async () => greeting;\n");
  write(greeting, "export const greeting = 'hello v1';\n");
});
afterAll(async () => {
  await stopBuildService();
  rmSync(root, { recursive: true, force: true });
});

const bundle = async (candidate: LocalFunction = fn) => {
  const result = await new FunctionBundler(root, out, { incremental: false }).bundle(candidate);
  if (!result.ok) throw new Error(result.message);
  return { ...result, text: readFileSync(result.path, 'utf8') };
};

it('reuses the bundle when no input changed, and rebuilds it when one did', async () => {
  const first = await bundle();
  expect(first).toMatchObject({ cached: false, changed: true });
  expect(first.text).toContain('hello v1');
  expect(await bundle()).toMatchObject({ cached: true, text: first.text });

  // The same bytes saved again: the content hash, not the time, decides.
  write(greeting, "export const greeting = 'hello v1';\n");
  expect(await bundle()).toMatchObject({ cached: true });

  write(greeting, "export const greeting = 'hello v2';\n");
  const second = await bundle();
  expect(second.cached).toBe(false);
  expect(second.text).toContain('hello v2');
  expect(await bundle()).toMatchObject({ cached: true });
});

it('rebuilds when the build options or a resolution file change', async () => {
  await bundle();
  const minified = await bundle({ ...fn, buildProperties: { ...fn.buildProperties, Minify: true } });
  expect(minified.cached).toBe(false);
  await bundle();
  write(join(root, 'package.json'), '{"name":"fixture","private":true,"imports":{}}');
  expect((await bundle()).cached).toBe(false);
});

it('rebuilds when the bundle itself was altered or removed', async () => {
  const built = await bundle();
  writeFileSync(built.path, 'tampered');
  const again = await bundle();
  expect(again.cached).toBe(false);
  expect(again.text).toBe(built.text);
});

it('keeps the previous bundle when a rebuild fails, and says where', async () => {
  const bundler = new FunctionBundler(root, out, { incremental: true });
  try {
    const good = await bundler.rebuild(fn);
    if (!good.ok) throw new Error(good.message);
    const before = readFileSync(good.path, 'utf8');
    expect([...bundler.inputsOf(fn.logicalId)]).toEqual(expect.arrayContaining([greeting]));

    writeFileSync(greeting, "export const greeting = 'hello v3;\n");
    const broken = await bundler.rebuild(fn);
    expect(broken.ok).toBe(false);
    expect(broken.ok ? '' : broken.message).toMatch(/ERROR\] Unterminated string literal[\s\S]*functions\/hello\/greeting\.ts:1:\d+/);
    expect(readFileSync(good.path, 'utf8')).toBe(before);

    writeFileSync(greeting, "export const greeting = 'hello v3';\n");
    const fixed = await bundler.rebuild(fn);
    expect(fixed).toMatchObject({ ok: true, changed: true });
    expect(readFileSync(good.path, 'utf8')).toContain('hello v3');

    writeFileSync(greeting, "export const greeting = { text: 'hello v3', text: 'twice' }.text;\n");
    expect(await bundler.rebuild(fn)).toMatchObject({ ok: true, warnings: expect.stringMatching(/Duplicate key "text" in object literal/) as unknown });
    writeFileSync(greeting, "export const greeting = 'hello v3';\n");
    await bundler.rebuild(fn);

    // Only a comment changed: the bundle's bytes are the same, so nothing needs reloading.
    writeFileSync(greeting, "// a comment\nexport const greeting = 'hello v3';\n");
    expect(await bundler.rebuild(fn)).toMatchObject({ ok: true, changed: false });
  } finally {
    await bundler.dispose();
  }
});
