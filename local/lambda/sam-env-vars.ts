import { text } from '../text';
import type { LocalFunction } from '../template/local-template';

/*
 * SAM's `--env-vars` file, both ways: `npm run invoke --env-vars` reads one, and `npm start`
 * writes one (<state-dir>/env.json) for `sam local ... --env-vars`. The rules follow SAM CLI
 * (samcli/commands/local/lib/local_lambda.py `_make_env_vars`, samcli/local/lambdafn/env_vars.py).
 */

/** `{"Parameters": {...every function}, "<FunctionLogicalId>": {...that function}}`, values as JSON gives them. */
export type SamEnvVars = Record<string, Record<string, unknown>>;

/** Raised for a file SAM would reject (OverridesNotWellDefinedError). */
export class EnvVarsFormatError extends Error {
  override name = 'EnvVarsFormatError';
}

/** Checks the shape SAM accepts: every top-level value is an object of variables. */
export function parseSamEnvVars(json: string): SamEnvVars {
  const parsed = JSON.parse(json) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EnvVarsFormatError('The env-vars file must hold a JSON object');
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new EnvVarsFormatError(`Environment variables ${key}: ${JSON.stringify(value)} in incorrect format (each entry must be an object of variables)`);
    }
  }
  return parsed as SamEnvVars;
}

/** A value as SAM hands it to Lambda: objects, arrays and null become '', booleans 'true'/'false'. */
function stringify(value: unknown): string {
  if (value === null || typeof value === 'object') return '';
  return text(value);
}

/**
 * The overrides an env-vars file gives one function. As in SAM, `Parameters` applies to every
 * function and the function's own block (by logical id, else by function name) wins; only variables
 * the function declares in the template are overridden, the rest of the file is ignored for it.
 */
export function samOverridesFor(fn: LocalFunction, envVars: SamEnvVars): Record<string, string> {
  const merged = { ...envVars.Parameters, ...(envVars[fn.logicalId] ?? envVars[fn.name] ?? {}) };
  return Object.fromEntries(Object.entries(merged).filter(([name]) => name in fn.environment).map(([name, value]) => [name, stringify(value)]));
}

/**
 * An env-vars file that gives every function the template's resolved values plus `extra`
 * (endpoints, keys). A variable with one value across the functions goes in `Parameters`; one
 * whose value differs between functions goes in each function's own block.
 */
export function samEnvVarsFor(functions: LocalFunction[], extra: Record<string, string>): SamEnvVars {
  const values = new Map<string, Set<string>>();
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (!values.has(name)) values.set(name, new Set());
      values.get(name)?.add(value);
    }
  }
  const shared = (name: string) => (values.get(name)?.size ?? 0) <= 1;
  const parameters: Record<string, string> = {};
  for (const fn of functions) for (const [name, value] of Object.entries(fn.environment)) if (shared(name)) parameters[name] = value;
  const perFunction: SamEnvVars = {};
  for (const fn of functions) {
    const own = Object.entries(fn.environment).filter(([name]) => !shared(name) && !(name in extra));
    if (own.length > 0) perFunction[fn.logicalId] = Object.fromEntries(own);
  }
  return { Parameters: sortKeys({ ...parameters, ...extra }), ...perFunction };
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
