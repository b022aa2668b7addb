import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/*
 * The local runtime reads template.yaml with its own small parser, which accepts keys that
 * CloudFormation's AWS::Serverless transform rejects (Cors.ExposeHeaders on a REST API, for one).
 * Rather than re-implement SAM's schema in TypeScript, this runs SAM's own translator
 * (scripts/sam_translate_check.py) when a Python with samtranslator is present, so `npm start`
 * refuses exactly the templates `sam deploy` would.
 */

/** The translator's verdict for one set of parameter values, as the script prints it with --json. */
export interface TranslatorResult {
  environment: string;
  parameters: Record<string, string>;
  translatorErrors: string[];
  lintErrors: string[];
  resources?: number;
}

export type TranslatorRun =
  | { available: true; ok: boolean; results: TranslatorResult[] }
  | { available: false; reason: string };

export interface TranslatorRunOptions {
  rootDir: string;
  templatePath: string;
  /** Check these parameter values only; without them, every samconfig.toml environment and no overrides. */
  parameterOverrides?: Record<string, string>;
  /** Also run cfn-lint on the translated templates (slower; CI and the contract test do). */
  lint?: boolean;
  /** Defaults to SAM_TRANSLATOR_PYTHON, then python3. */
  python?: string;
  timeoutMs?: number;
}

/** The template was refused by SAM's translator; the message is the translator's. */
export class TemplateRejected extends Error {
  override name = 'TemplateRejected';
}

/** The Python the checks run with: SAM_TRANSLATOR_PYTHON (CI sets the aws-sam-cli venv's), else python3. */
export function translatorPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.SAM_TRANSLATOR_PYTHON ?? 'python3';
}

/** Shell-style quoting for the script's `--overrides`, which it splits with shlex like `sam deploy --parameter-overrides`. */
function overridesArgument(overrides: Record<string, string>): string {
  return Object.entries(overrides)
    .map(([key, value]) => `'${`${key}=${value}`.replaceAll("'", `'"'"'`)}'`)
    .join(' ');
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; spawnError?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // Our own timer, not spawn's `timeout`: Node leaves that one pending when the spawn itself fails.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', (spawnError) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, spawnError });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs scripts/sam_translate_check.py --json. `available: false` means no verdict could be had (no
 * Python, no samtranslator, no cfn-lint when asked for, or the script crashed), never a pass.
 */
export async function runSamTranslator(options: TranslatorRunOptions): Promise<TranslatorRun> {
  const python = options.python ?? translatorPython();
  const args = [join(options.rootDir, 'scripts', 'sam_translate_check.py'), '--json', '--template', options.templatePath];
  if (options.parameterOverrides) args.push('--overrides', overridesArgument(options.parameterOverrides));
  else args.push('--samconfig', join(options.rootDir, 'samconfig.toml'));
  if (!options.lint) args.push('--no-lint');
  const { code, stdout, stderr, spawnError } = await run(python, args, options.rootDir, options.timeoutMs ?? 120_000);
  if (spawnError) return { available: false, reason: `cannot run ${python}: ${spawnError.message}` };
  // Exit 3: no samtranslator; 4: no cfn-lint; 0 and 1 print the verdict.
  if (code !== 0 && code !== 1) return { available: false, reason: (stderr.trim().split('\n').pop() ?? '') || `${python} exited with ${String(code)}` };
  try {
    const parsed = JSON.parse(stdout) as { ok: boolean; results: TranslatorResult[] };
    return { available: true, ok: parsed.ok, results: parsed.results };
  } catch {
    return { available: false, reason: `unreadable output from ${python}: ${stdout.slice(0, 200)} ${stderr.slice(-300)}` };
  }
}

interface CachedVerdict {
  key: string;
  errors: string[];
}

/**
 * Refuses a template that SAM's translator rejects for the runtime's parameter values, with the
 * translator's message, as `sam deploy` would. Without a Python that has samtranslator it logs one
 * line and lets start-up go on. The verdict is cached in the state dir under a hash of the template,
 * the overrides, the script and the Python, so warm restarts skip the ~1 s translator run. ASL files
 * are not in the key: once packaged they are S3 objects, and the translator never reads them.
 */
export async function assertTemplateTranslates(options: {
  rootDir: string;
  templatePath: string;
  stateDir: string;
  parameterOverrides?: Record<string, string>;
  log: (line: string) => void;
  python?: string;
}): Promise<void> {
  const python = options.python ?? translatorPython();
  const overrides = options.parameterOverrides ?? {};
  const key = createHash('sha256')
    .update(readFileSync(options.templatePath))
    .update(JSON.stringify(Object.entries(overrides).sort()))
    .update(readFileSync(join(options.rootDir, 'scripts', 'sam_translate_check.py')))
    .update(python)
    .digest('hex');
  const cachePath = join(options.stateDir, 'template-check.json');
  const refuse = (errors: string[]) =>
    new TemplateRejected(`${options.templatePath} is rejected by the SAM translator, as sam deploy would reject it: ${errors.join(' | ')}`);

  let cached: CachedVerdict | undefined;
  try {
    cached = JSON.parse(readFileSync(cachePath, 'utf8')) as CachedVerdict;
  } catch {
    cached = undefined; // No verdict yet, or an unreadable one: translate again.
  }
  if (cached?.key === key) {
    if (cached.errors.length > 0) throw refuse(cached.errors);
    return;
  }
  const verdict = await runSamTranslator({ rootDir: options.rootDir, templatePath: options.templatePath, parameterOverrides: overrides, python });
  if (!verdict.available) {
    options.log(`template check skipped: no SAM translator (${verdict.reason}); set SAM_TRANSLATOR_PYTHON to a Python with aws-sam-translator so npm start refuses what sam deploy would`);
    return;
  }
  const errors = verdict.results.flatMap((result) => result.translatorErrors);
  mkdirSync(dirname(cachePath), { recursive: true });
  writeFileSync(cachePath, JSON.stringify({ key, errors } satisfies CachedVerdict));
  if (errors.length > 0) throw refuse(errors);
  options.log(`template check: SAM's translator accepts ${options.templatePath}`);
}
