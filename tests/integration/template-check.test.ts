import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTemplateTranslates, runSamTranslator } from '../../local/template/sam-translator-check';
import { requireTranslator, templateWithExposeHeaders } from '../support/sam-translator';
import { ROOT } from '../support/template';

/*
 * The local runtime refuses at start-up a template that SAM's translator (and so `sam deploy`)
 * rejects, with the translator's message; it caches the verdict, and without a translator it only
 * says that the check was skipped.
 */
jest.setTimeout(120_000);

const EXPOSE_HEADERS_MESSAGE = "Invalid key 'ExposeHeaders' for 'Cors' property";

/** Runs startRuntime in a child process (as npm start does), on free ports, with the given template. */
function startRuntimeProcess(templatePath: string, stateDir: string): Promise<{ code: number | null; output: string }> {
  const script = join(stateDir, 'start.ts');
  writeFileSync(
    script,
    `import { join } from 'node:path';
import { loadConfig, startRuntime } from ${JSON.stringify(join(ROOT, 'local', 'runtime'))};
const root = ${JSON.stringify(ROOT)};
const config = loadConfig(join(root, 'local', 'config.json'));
config.ports = Object.fromEntries(Object.keys(config.ports).map((port) => [port, 0]));
startRuntime({ rootDir: root, templatePath: ${JSON.stringify(templatePath)}, stateDir: ${JSON.stringify(stateDir)}, fresh: true, config, log: (line) => console.log(line) })
  .then(async (runtime) => { console.log('STARTED'); await runtime.stop(); process.exit(0); })
  .catch((error: unknown) => { console.error('failed to start: ' + (error instanceof Error ? error.message : String(error))); process.exit(1); });
`,
  );
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('close', (code) => { resolve({ code, output }); });
  });
}

describe('local runtime template check', () => {
  beforeAll(async () => {
    // A missing translator fails these tests instead of letting them pass on the skip path.
    requireTranslator(await runSamTranslator({ rootDir: ROOT, templatePath: join(ROOT, 'template.yaml'), parameterOverrides: {} }));
  });

  it('stops start-up with the translator\'s message when the template sets Cors.ExposeHeaders on the REST API', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'template-check-runtime-'));
    const { code, output } = await startRuntimeProcess(templateWithExposeHeaders(), stateDir);
    expect(output).not.toContain('STARTED');
    expect(code).toBe(1);
    expect(output).toContain('is rejected by the SAM translator');
    expect(output).toContain(EXPOSE_HEADERS_MESSAGE);
  });

  it('caches the verdict in the state dir, so a second check of the same template does not run the translator again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'template-check-cache-'));
    const options = { rootDir: ROOT, templatePath: templateWithExposeHeaders(), stateDir, parameterOverrides: { Environment: 'dev' }, log: () => undefined };
    await expect(assertTemplateTranslates(options)).rejects.toThrow(EXPOSE_HEADERS_MESSAGE);
    expect(existsSync(join(stateDir, 'template-check.json'))).toBe(true);
    const started = performance.now();
    await expect(assertTemplateTranslates(options)).rejects.toThrow(EXPOSE_HEADERS_MESSAGE);
    // Starting Python and importing samtranslator alone takes far longer than reading the cached verdict.
    expect(performance.now() - started).toBeLessThan(150);
  });

  it('accepts the real template for the local parameter values', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'template-check-ok-'));
    const lines: string[] = [];
    await assertTemplateTranslates({ rootDir: ROOT, templatePath: join(ROOT, 'template.yaml'), stateDir, parameterOverrides: {}, log: (line) => lines.push(line) });
    expect(lines.join('\n')).toContain("SAM's translator accepts");
  });

  it('logs one line and lets start-up go on when no Python with samtranslator is available', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'template-check-skip-'));
    const lines: string[] = [];
    await assertTemplateTranslates({
      rootDir: ROOT,
      templatePath: templateWithExposeHeaders(),
      stateDir,
      python: join(stateDir, 'no-such-python'),
      log: (line) => lines.push(line),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^template check skipped: no SAM translator/);
  });
});
