import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { satisfies, validRange } from 'semver';
import type { LocalLayer } from '../template/local-template';

/*
 * A function's Layers, as its execution environment resolves them. On Lambda a Node.js layer's
 * packages land in /opt/nodejs/node_modules, which is on NODE_PATH; a function without the layer
 * cannot require them. `sam build` fills that directory with `npm install` from the layer's
 * package.json. The runtime must start without the network, so it maps each of the layer's
 * dependencies onto the node_modules that `npm ci` already filled (the layer's own, else the
 * nearest one above it, as Node would look), after checking the installed version satisfies the
 * layer's package.json. environment-bootstrap.ts then resolves the bundle's external requires
 * against these, the Lambda runtime's AWS SDK, and nothing else.
 */

/** Package name → the node_modules directory that holds it: what /opt/nodejs/node_modules is on Lambda. */
export type LayerModules = Record<string, string>;

export class LayerError extends Error {
  override name = 'LayerError';
}

/** The installed copy of a package, found as Node would from the layer's directory. */
function installedPackage(name: string, from: string): { nodeModules: string; version: string } | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
      return { nodeModules: join(dir, 'node_modules'), version: typeof version === 'string' ? version : '' };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The packages one layer supplies, each checked against the layer's package.json. */
export function layerModules(layer: LocalLayer): LayerModules {
  if (!/^nodejs\d+\.x$/.test(layer.buildMethod)) {
    throw new LayerError(`${layer.logicalId}: only Node.js layers (Metadata BuildMethod nodejsNN.x) run locally; this one has '${layer.buildMethod}'`);
  }
  const manifestPath = join(layer.contentDir, 'package.json');
  let dependencies: Record<string, unknown>;
  try {
    dependencies = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, unknown> }).dependencies ?? {};
  } catch (error) {
    throw new LayerError(`${layer.logicalId}: cannot read ${manifestPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const modules: LayerModules = {};
  for (const [name, wanted] of Object.entries(dependencies)) {
    const range = typeof wanted === 'string' ? validRange(wanted) : null;
    if (range === null) throw new LayerError(`${layer.logicalId}: ${name}@${String(wanted)} in ${manifestPath} is not a version range the local runtime can check`);
    // From the real directory, as Node resolves from a module's real path (a symlinked layer directory finds the project's node_modules).
    const installed = installedPackage(name, realpathSync(layer.contentDir));
    if (!installed) throw new LayerError(`${layer.logicalId}: needs ${name}@${String(wanted)}, which is not installed (run npm ci; a layer's dependencies must also be the project's)`);
    if (!satisfies(installed.version, range)) {
      throw new LayerError(
        `${layer.logicalId}: ${manifestPath} wants ${name}@${String(wanted)}, but ${relative(process.cwd(), join(installed.nodeModules, name)) || name} is ${installed.version}. ` +
          'Keep the layer\'s pin equal to the version in the root package-lock.json, and run npm ci.',
      );
    }
    modules[name] = installed.nodeModules;
  }
  return modules;
}

/**
 * A function's layer packages: each layer in order, a later one's package over an earlier one's (as
 * Lambda unpacks them into /opt). `checked` keeps each layer's packages by logical id across calls,
 * so functions that share a layer read and check its package.json once.
 */
export function functionLayerModules(layers: readonly LocalLayer[], checked = new Map<string, LayerModules>()): LayerModules {
  const modules = layers.map((layer) => {
    const known = checked.get(layer.logicalId);
    if (known) return known;
    const found = layerModules(layer);
    checked.set(layer.logicalId, found);
    return found;
  });
  return Object.assign({}, ...modules) as LayerModules;
}
