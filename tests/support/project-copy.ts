import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './template';

/**
 * A copy of the project's sources (functions, state machine, layers, template, and what the build and the
 * template check read) in a temp dir, sharing node_modules by a symlink: for tests and benchmarks
 * that edit sources, which must never edit the real tree. Returns its root and a remover.
 */
export function copyProject(prefix: string): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of ['functions', 'statemachine', 'layers', 'scripts', 'template.yaml', 'package.json', 'tsconfig.json', 'samconfig.toml']) {
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  return { root, remove: () => { rmSync(root, { recursive: true, force: true }); } };
}

/**
 * ListProducts' entry point with a probe: an event with `probe` reports the code's version and the
 * log level its environment sees, after waiting `waitMs`; any other event runs the real handler
 * (so the bundle keeps its real imports).
 */
export const probeHandlerSource = (version: string): string => `
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { apiSettingsFromEnv } from '#api/endpoint';
import { withPowertools } from '#platform/powertools';
import { listProducts } from './list-products';

const real = withPowertools(() => ({}), (event: APIGatewayProxyEvent) => listProducts({ api: apiSettingsFromEnv() }, event));
export const handler = async (event: { probe?: { waitMs: number } }, context: Context) => {
  if (!event.probe) return real(event as unknown as APIGatewayProxyEvent, context);
  await new Promise((resolve) => setTimeout(resolve, event.probe?.waitMs ?? 0));
  return { version: '${version}', logLevel: process.env.POWERTOOLS_LOG_LEVEL };
};
`;

/** The project's ASL, entered through a marker and a pause; `stopHere` ends the execution there. */
export function writeMarkedAsl(aslPath: string, marker: string): void {
  const asl = JSON.parse(readFileSync(join(ROOT, 'statemachine', 'order-processing.asl.json'), 'utf8')) as { StartAt: string; States: Record<string, unknown> };
  const original = asl.StartAt;
  asl.States = {
    ...asl.States,
    DevLoopMarker: { Type: 'Pass', Result: marker, ResultPath: '$.marker', Next: 'DevLoopPause' },
    DevLoopPause: { Type: 'Wait', SecondsPath: '$.pauseSeconds', Next: 'DevLoopChoice' },
    DevLoopChoice: { Type: 'Choice', Choices: [{ Variable: '$.stopHere', IsPresent: true, Next: 'DevLoopDone' }], Default: original },
    DevLoopDone: { Type: 'Succeed' },
  };
  asl.StartAt = 'DevLoopMarker';
  writeFileSync(aslPath, JSON.stringify(asl, null, 2));
}
