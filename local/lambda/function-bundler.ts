import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { type BuildContext, type BuildOptions, type Message, type Metafile, type OutputFile, build, context, formatMessages, version } from 'esbuild';
import type { LocalFunction } from '../template/local-template';
import { functionBuildOptions } from './build-functions';

/*
 * The functions' bundles, cached by content and rebuilt incrementally. Each bundle's directory
 * holds a manifest beside it: a key for the build options and esbuild's version, and the SHA-256 of
 * every file esbuild read (its metafile's inputs, plus the package.json and tsconfig.json that steer
 * resolution). A start whose key and input hashes all match reuses the bundle without starting
 * esbuild. With `incremental`, each function keeps an esbuild context, so a rebuild after a saved
 * change re-parses only what changed.
 */

/** Files outside the metafile that change how imports resolve (`#domain/*` imports, tsconfig paths). */
const RESOLUTION_FILES = ['package.json', 'tsconfig.json'];
const MANIFEST = 'build-manifest.json';
const MTIME_MARGIN_MS = 20;

interface Manifest {
  key: string;
  /** Absolute path → SHA-256 (hex) of the file as the bundle was built from it. */
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

export type BundleResult =
  | { ok: true; path: string; cached: boolean; changed: boolean; ms: number; /** esbuild's warnings, formatted as it prints them. */ warnings?: string }
  | { ok: false; message: string; ms: number };

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

function hashFile(path: string, memo?: Map<string, string | undefined>): string | undefined {
  if (memo?.has(path)) return memo.get(path);
  let hash: string | undefined;
  try {
    hash = sha256(readFileSync(path));
  } catch {
    hash = undefined; // removed since: the cached bundle no longer matches
  }
  memo?.set(path, hash);
  return hash;
}

function writeAtomically(path: string, contents: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, contents);
  // A rename, so an execution environment spawned meanwhile loads the old bundle or the new, never half of one.
  renameSync(`${path}.tmp`, path);
}

/** The absolute paths of the real files esbuild read (metafile inputs are relative to absWorkingDir; some are virtual). */
function inputFiles(metafile: Metafile, rootDir: string): string[] {
  return Object.keys(metafile.inputs)
    .filter((input) => !/^[a-z-]+:/i.test(input) && !input.startsWith('<'))
    .map((input) => (isAbsolute(input) ? input : resolve(rootDir, input)));
}

interface Entry {
  fn: LocalFunction;
  options: BuildOptions & { outfile: string };
  key: string;
  inputs: Set<string>;
  context?: Promise<BuildContext<{ write: false; metafile: true }>>;
}

export class FunctionBundler {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rootDir: string,
    private readonly outDir: string,
    private readonly options: { incremental: boolean },
  ) {}

  private entry(fn: LocalFunction): Entry {
    const options = functionBuildOptions(fn, this.rootDir, this.outDir);
    const key = sha256(JSON.stringify({ esbuild: version, options }));
    const known = this.entries.get(fn.logicalId);
    if (known?.key === key) {
      known.fn = fn;
      return known;
    }
    // New build options (a Metadata change in the template): the old context builds the old way.
    if (known?.context) void known.context.then((ctx) => ctx.dispose());
    const entry: Entry = { fn, options, key, inputs: known?.inputs ?? new Set() };
    this.entries.set(fn.logicalId, entry);
    return entry;
  }

  /** The cached bundle if every input still hashes the same, else a build. */
  async bundle(fn: LocalFunction, memo = new Map<string, string | undefined>()): Promise<BundleResult> {
    const started = performance.now();
    const entry = this.entry(fn);
    const manifest = this.readManifest(entry);
    if (manifest && Object.entries({ ...manifest.inputs, ...manifest.outputs }).every(([path, hash]) => hashFile(path, memo) === hash)) {
      entry.inputs = new Set(Object.keys(manifest.inputs));
      return { ok: true, path: entry.options.outfile, cached: true, changed: false, ms: performance.now() - started };
    }
    return this.rebuild(fn, started);
  }

  /** Builds the function now (through its kept context when incremental); a failed build leaves the previous bundle in place. */
  async rebuild(fn: LocalFunction, started = performance.now()): Promise<BundleResult> {
    const entry = this.entry(fn);
    const begun = Date.now();
    // The files the last build read, hashed before this one reads them: see below.
    const before = new Map([...entry.inputs].map((path) => [path, hashFile(path)]));
    let outputFiles: OutputFile[];
    let metafile: Metafile;
    let warnings: Message[];
    try {
      if (this.options.incremental) {
        entry.context ??= context({ ...entry.options, write: false, metafile: true, logLevel: 'silent' });
        ({ outputFiles, metafile, warnings } = await (await entry.context).rebuild());
      } else {
        ({ outputFiles, metafile, warnings } = await build({ ...entry.options, write: false, metafile: true, logLevel: 'silent' }));
      }
    } catch (error) {
      // A context that could not be created is not kept: the next save tries afresh.
      if (entry.context && !(await entry.context.then(() => true, () => false))) delete entry.context;
      return { ok: false, message: await describeBuildError(error), ms: performance.now() - started };
    }
    const inputs = inputFiles(metafile, this.rootDir);
    const outputs: Record<string, string> = {};
    for (const file of outputFiles) outputs[file.path] = sha256(file.contents);
    // Against the files on disk: what the environments would load next.
    const changed = Object.entries(outputs).some(([path, hash]) => hashFile(path) !== hash);
    if (changed) for (const file of outputFiles) writeAtomically(file.path, file.contents);
    // The inputs are known only after the build, so they are hashed after it: a file saved while
    // esbuild read it would pair its new hash with the old content. Such a build gets no manifest
    // (the watcher rebuilds it, and a start without one builds again). A file is seen saved during
    // the build when its hash moved since before it, or, for a file the last build did not read,
    // by its modification time (with a margin for the coarse file-system clock).
    const all = [...inputs, ...RESOLUTION_FILES.map((name) => join(this.rootDir, name)).filter((path) => existsSync(path))];
    // The resolution files too, so that the dev loop rebuilds every function when one is saved.
    entry.inputs = new Set(all);
    const hashes = Object.fromEntries(all.map((path) => [path, hashFile(path) ?? '']));
    const savedDuring = all.some((path) =>
      before.has(path) ? before.get(path) !== hashes[path] : (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) >= begun - MTIME_MARGIN_MS,
    );
    if (!savedDuring) {
      writeAtomically(this.manifestPath(entry), JSON.stringify({ key: entry.key, inputs: hashes, outputs } satisfies Manifest));
    }
    const formatted = warnings.length > 0 ? (await formatMessages(warnings, { kind: 'warning', color: false })).join('').trimEnd() : undefined;
    return { ok: true, path: entry.options.outfile, cached: false, changed, ms: performance.now() - started, ...(formatted ? { warnings: formatted } : {}) };
  }

  /** The files a function's bundle was last built from (absolute paths). */
  inputsOf(logicalId: string): ReadonlySet<string> {
    return this.entries.get(logicalId)?.inputs ?? new Set();
  }

  /** Disposes every kept context (each holds its parse cache in esbuild's service). */
  async dispose(): Promise<void> {
    const contexts = [...this.entries.values()].flatMap((entry) => (entry.context ? [entry.context] : []));
    this.entries.clear();
    await Promise.allSettled(contexts.map(async (ctx) => (await ctx).dispose()));
  }

  private manifestPath(entry: Entry): string {
    return join(dirname(entry.options.outfile), MANIFEST);
  }

  private readManifest(entry: Entry): Manifest | undefined {
    try {
      const manifest = JSON.parse(readFileSync(this.manifestPath(entry), 'utf8')) as Manifest;
      return manifest.key === entry.key ? manifest : undefined;
    } catch {
      return undefined; // none yet, or torn: build
    }
  }
}

/** esbuild's own formatting of its errors (file:line:column, the source line, a caret), as `esbuild` prints them. */
async function describeBuildError(error: unknown): Promise<string> {
  const errors = (error as { errors?: Message[] }).errors;
  if (!errors || errors.length === 0) return error instanceof Error ? error.message : String(error);
  return (await formatMessages(errors, { kind: 'error', color: false })).join('').trimEnd();
}
