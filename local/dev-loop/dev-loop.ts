import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { FunctionBundler } from '../lambda/function-bundler';
import type { LambdaService } from '../lambda/lambda-service';
import { type LayerModules, functionLayerModules, layerModules } from '../lambda/layers';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service';
import type { LocalFunction, LocalTemplate } from '../template/local-template';
import { templateChanges } from './template-changes';

/*
 * `npm start`'s developer loop (docs/dev-loop.md): watches the folders the functions' bundles are
 * built from, the state machines' ASL files and template.yaml. A saved source file rebuilds only the
 * bundles that read it (each function keeps an esbuild context, so a rebuild re-parses only what
 * changed) and replaces those functions' execution environments: invocations in flight finish on
 * the old code, later ones get a fresh environment with the new bundle. A build error keeps the old
 * bundle serving. A saved ASL file or template is re-read and applied as far as it can be live
 * (template-changes.ts); the rest is named with a request to restart. A saved layer package.json
 * is checked against node_modules again: the functions with that layer get fresh environments that
 * resolve its packages, or, if node_modules cannot supply them, keep the previous ones and say why.
 */

/** Editors save in bursts (write, rename, chmod): changes are gathered this long before acting. */
const SETTLE_MS = 30;

export interface DevLoopOptions {
  rootDir: string;
  templatePath: string;
  bundler: FunctionBundler;
  lambda: LambdaService;
  sfn: StepFunctionsService;
  /** The template as it runs now (functions as the runtime serves them). */
  template: LocalTemplate;
  /** Re-reads the template the way start-up did (same parameters, local URLs); throws on an unreadable one. */
  reloadTemplate: () => LocalTemplate;
  /** The SAM translator's verdict on a changed template (rejects with its message). */
  checkTemplate?: () => Promise<void>;
  log: (line: string) => void;
}

export class DevLoop {
  private readonly watchers: FSWatcher[] = [];
  private changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private template: LocalTemplate;
  private closed = false;
  /** Template checks still running (a child process each), awaited on close. */
  private readonly checks = new Set<Promise<void>>();

  constructor(private readonly options: DevLoopOptions) {
    this.template = options.template;
  }

  /** Starts watching; the folders are those the bundles read (outside node_modules), the ASL files' and the template's. */
  start(): string[] {
    const { rootDir, templatePath } = this.options;
    const trees = new Set<string>();
    for (const fn of this.template.functions) {
      for (const input of this.options.bundler.inputsOf(fn.logicalId)) {
        const path = relative(rootDir, input);
        const top = path.split(sep)[0];
        if (!top || top === 'node_modules' || path.startsWith('..') || isAbsolute(path) || top === path) continue;
        trees.add(join(rootDir, top));
      }
    }
    const files = new Set([
      templatePath,
      ...this.template.stateMachines.flatMap((machine) => (machine.definitionPath ? [machine.definitionPath] : [])),
      ...this.layerManifests(),
    ]);
    const folders = new Set([...files].map((file) => dirname(file)).filter((folder) => ![...trees].some((tree) => folder === tree || folder.startsWith(tree + sep))));
    for (const tree of trees) this.watch(tree, true);
    for (const folder of folders) this.watch(folder, false);
    return [...trees, ...folders].map((path) => relative(rootDir, path) || '.');
  }

  private watch(folder: string, recursive: boolean): void {
    const watcher = watch(folder, { recursive }, (_event, name) => {
      if (name) this.noteChange(join(folder, name));
    });
    watcher.on('error', (error) => { this.options.log(`dev loop: watching ${folder} failed: ${error.message}`); });
    this.watchers.push(watcher);
  }

  private noteChange(path: string): void {
    if (this.closed) return;
    this.changed.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const batch = this.changed;
      this.changed = new Set();
      // One batch at a time: a save during a rebuild is handled once that rebuild is done.
      this.running = this.running.then(() => this.apply(batch)).catch((error: unknown) => {
        this.options.log(`dev loop: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      });
    }, SETTLE_MS);
  }

  /** Resolves once every change noticed so far has been applied (for tests and benchmarks). */
  async settled(): Promise<void> {
    while (this.changed.size > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await this.running;
  }

  /** The package.json of every layer a function uses, by path. */
  private layerManifests(): Set<string> {
    return new Set(this.template.functions.flatMap((fn) => fn.layers.map((layer) => join(layer.contentDir, 'package.json'))));
  }

  /**
   * A saved layer package.json: each changed layer is checked once, and the functions with it resolve
   * its packages afresh, if node_modules can supply them; if not, the error is printed once, naming them.
   */
  private applyLayerChange(manifests: readonly string[]): void {
    const isChanged = (layer: LocalFunction['layers'][number]) => manifests.includes(join(layer.contentDir, 'package.json'));
    const users = this.template.functions.filter((fn) => fn.layers.some(isChanged));
    const checked = new Map<string, LayerModules>();
    const refused = new Set<string>();
    const changedLayers = new Map(users.flatMap((fn) => fn.layers.filter(isChanged)).map((layer) => [layer.logicalId, layer]));
    for (const layer of changedLayers.values()) {
      try {
        checked.set(layer.logicalId, layerModules(layer));
      } catch (error) {
        refused.add(layer.logicalId);
        const holders = users.filter((fn) => fn.layers.some((each) => each.logicalId === layer.logicalId)).map((fn) => fn.logicalId);
        this.options.log(`${error instanceof Error ? error.message : String(error)} ${holders.join(', ')} keep the layer packages they had; save again once it is fixed.`);
      }
    }
    for (const fn of users) {
      if (fn.layers.some((layer) => refused.has(layer.logicalId))) continue;
      const names = fn.layers.filter(isChanged).map((layer) => layer.logicalId).join(', ');
      const modules = functionLayerModules(fn.layers, checked);
      if (JSON.stringify(modules) === JSON.stringify(this.options.lambda.layerModulesOf(fn.logicalId) ?? {})) {
        this.options.log(`${fn.logicalId}: ${names} saved; the packages it supplies are unchanged`);
        continue;
      }
      const current = this.options.lambda.find(fn.logicalId) ?? fn;
      const draining = this.options.lambda.replaceFunction(current, undefined, modules);
      this.options.log(`${fn.logicalId}: ${names} supplies ${Object.keys(modules).sort().join(', ') || 'no packages'} now; new invocations get fresh environments${draining > 0 ? ` (${String(draining)} finishing on the old)` : ''}`);
    }
  }

  private async apply(paths: Set<string>): Promise<void> {
    if (this.closed) return;
    const manifests = this.layerManifests();
    const layerChanges = [...paths].filter((path) => manifests.has(path));
    if (layerChanges.length > 0) this.applyLayerChange(layerChanges);
    const { templatePath, bundler } = this.options;
    const definitionPaths = new Set(this.template.stateMachines.flatMap((machine) => (machine.definitionPath ? [machine.definitionPath] : [])));
    const rebuild = new Map<string, LocalFunction>();
    for (const fn of this.template.functions) {
      const inputs = bundler.inputsOf(fn.logicalId);
      if ([...paths].some((path) => inputs.has(path))) rebuild.set(fn.logicalId, fn);
    }
    const reconfigure: LocalFunction[] = [];
    if (paths.has(templatePath) || [...paths].some((path) => definitionPaths.has(path))) {
      const changes = this.reloadTemplate(paths.has(templatePath) ? basename(templatePath) : 'the state machine definition');
      if (changes) {
        for (const fn of changes.rebuild) rebuild.set(fn.logicalId, fn);
        for (const fn of changes.reconfigure) {
          // Saved together with its source: the rebuild applies the new configuration with the new bundle.
          if (rebuild.has(fn.logicalId)) rebuild.set(fn.logicalId, fn);
          else reconfigure.push(fn);
        }
      }
    }
    await Promise.all([...rebuild.values()].map((fn) => this.rebuild(fn)));
    for (const fn of reconfigure) {
      const draining = this.options.lambda.replaceFunction(fn);
      this.options.log(`${fn.logicalId}: configuration changed; new invocations get fresh environments${draining > 0 ? ` (${String(draining)} finishing on the old one)` : ''}`);
      this.adopt(fn);
    }
    if (paths.has(templatePath)) this.checkTemplate();
  }

  /** SAM's translator on the saved template, in the background once the change is applied: it takes seconds, and its verdict changes nothing that runs. */
  private checkTemplate(): void {
    if (!this.options.checkTemplate) return;
    const check = this.options.checkTemplate().catch((error: unknown) => {
      this.options.log(`template check: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.checks.add(check);
    void check.finally(() => this.checks.delete(check));
  }

  /** Re-reads the template and applies the state machine changes; returns the rest, or undefined if it cannot be read. */
  private reloadTemplate(what: string): ReturnType<typeof templateChanges> | undefined {
    let next: LocalTemplate;
    try {
      next = this.options.reloadTemplate();
    } catch (error) {
      this.options.log(`dev loop: ${what} cannot be read, so nothing of it is applied; still running the previous one: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const changes = templateChanges(this.template, next);
    for (const machine of changes.stateMachines) {
      try {
        const version = this.options.sfn.updateStateMachine(machine);
        this.template = { ...this.template, stateMachines: this.template.stateMachines.map((each) => (each.logicalId === machine.logicalId ? machine : each)) };
        this.options.log(
          `${machine.logicalId}: definition changed; new executions run it${version === undefined ? '' : ` (version ${String(version)}, alias ${machine.alias ?? ''})`}; running executions keep theirs`,
        );
      } catch (error) {
        this.options.log(`${machine.logicalId}: the changed definition is refused, so executions still start on the previous one: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (changes.needsRestart.length > 0) {
      this.options.log(`${basename(this.options.templatePath)}: not applied until you restart npm start (Ctrl-C, then npm start): ${changes.needsRestart.join('; ')}`);
    }
    return changes;
  }

  private async rebuild(fn: LocalFunction, { quiet = false } = {}): Promise<void> {
    const result = await this.options.bundler.rebuild(fn);
    if (!result.ok) {
      this.options.log(`${fn.logicalId}: build failed; still serving the previous bundle:\n${result.message}`);
      return;
    }
    if (result.warnings) this.options.log(`${fn.logicalId}: esbuild warnings:\n${result.warnings}`);
    const current = this.options.lambda.find(fn.logicalId);
    const configuration = current !== undefined && (['handler', 'environment', 'memoryMb', 'timeoutSeconds'] as const).some((field) => JSON.stringify(current[field]) !== JSON.stringify(fn[field]));
    if (!result.changed && !configuration) {
      if (!quiet) this.options.log(`${fn.logicalId}: rebuilt in ${String(Math.round(result.ms))} ms; the bundle is unchanged`);
      return;
    }
    const draining = this.options.lambda.replaceFunction(fn, result.path);
    this.adopt(fn);
    this.options.log(`${fn.logicalId}: rebuilt in ${String(Math.round(result.ms))} ms; new invocations run the new code${draining > 0 ? ` (${String(draining)} finishing on the old)` : ''}`);
  }

  /** Records a function's applied fields, so the next template change is compared with what runs. */
  private adopt(fn: LocalFunction): void {
    this.template = { ...this.template, functions: this.template.functions.map((each) => (each.logicalId === fn.logicalId ? { ...each, ...pick(fn) } : each)) };
  }

  /**
   * Builds every function's esbuild context in the background, one at a time, so that the first
   * save of each is an incremental rebuild too. Each step waits its turn with the saves, so a save
   * waits for at most one of these builds. Resolves with the time it took.
   */
  async warm(): Promise<number> {
    const started = performance.now();
    for (const fn of this.template.functions) {
      if (this.closed) break;
      this.running = this.running.then(() => (this.closed ? undefined : this.rebuild(this.current(fn.logicalId) ?? fn, { quiet: true })));
      await this.running;
    }
    return performance.now() - started;
  }

  private current(logicalId: string): LocalFunction | undefined {
    return this.template.functions.find((fn) => fn.logicalId === logicalId);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
    await this.running;
    await Promise.all([...this.checks]);
    await this.options.bundler.dispose();
  }
}

function pick(fn: LocalFunction): Partial<LocalFunction> {
  const { handler, entryPoint, buildProperties, environment, memoryMb, timeoutSeconds } = fn;
  return { handler, entryPoint, buildProperties, environment, memoryMb, timeoutSeconds };
}
