import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRuntime, loadConfig, startRuntime } from '../../local/runtime';
import { ROOT } from '../../tests/support/template';

/**
 * Runs `body` against a runtime started in this process from a template (template.yaml unless
 * given), on free ports for every endpoint local/config.json names, with empty data; stops it and
 * removes its data however `body` ends.
 */
export async function withInProcessRuntime<T>(
  name: string,
  body: (runtime: RunningRuntime) => Promise<T>,
  options: { templatePath?: string; parameterOverrides?: Record<string, string> } = {},
): Promise<T> {
  const stateDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const config = loadConfig(join(ROOT, 'local', 'config.json'));
  // Every port the config names, so a new endpoint needs no edit here.
  config.ports = Object.fromEntries(Object.keys(config.ports).map((port) => [port, 0])) as typeof config.ports;
  const runtime = await startRuntime({
    rootDir: ROOT,
    templatePath: options.templatePath ?? join(ROOT, 'template.yaml'),
    stateDir,
    fresh: true,
    config,
    ...(options.parameterOverrides ? { parameterOverrides: options.parameterOverrides } : {}),
    log: () => undefined,
  });
  try {
    return await body(runtime);
  } finally {
    await runtime.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** A benchmark script's entry: exit 0 when `main` resolves, print the error and exit 1 when it rejects. */
export function runScript(main: () => Promise<unknown>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
