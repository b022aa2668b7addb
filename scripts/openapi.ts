import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CLIENT_TYPES_PATH, OPENAPI_PATH, apiSchemas, clientTypes, openApiYaml } from './api-contract/openapi';

/**
 * npm run openapi: rewrites docs/openapi.yaml and the client's generated types from the handlers'
 * schemas. With --check it writes nothing and exits 1 naming each file that differs from a fresh build.
 */
async function main(): Promise<void> {
  const schemas = apiSchemas();
  const outputs: [string, string][] = [
    [OPENAPI_PATH, openApiYaml(schemas)],
    [CLIENT_TYPES_PATH, await clientTypes(schemas)],
  ];
  if (process.argv.includes('--check')) {
    const stale = outputs.filter(([path, text]) => readFileSync(path, 'utf8') !== text).map(([path]) => relative(process.cwd(), path));
    if (stale.length > 0) {
      console.error(`Out of date with the handlers' schemas: ${stale.join(', ')}. Run npm run openapi.`);
      process.exit(1);
    }
    console.log('docs/openapi.yaml and the client types are up to date');
    return;
  }
  for (const [path, text] of outputs) writeFileSync(path, text);
  console.log(`Wrote ${outputs.map(([path]) => relative(process.cwd(), path)).join(' and ')}`);
}

void main();
