import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deployedEnvironment, initLoads } from '../tests/support/init-loads';
import { localTemplate, ROOT } from '../tests/support/template';

/*
 * After `sam build`: requires every function as sam build bundled it, with a deployed function's
 * environment, and fails if one evaluates semver at init, or if a function that makes no AWS call
 * loads node:crypto. sam build installs its own node_modules (npm install --omit=dev, which runs
 * the postinstall), so this proves that patches/runtime reached the artifacts CloudFormation
 * deploys, not only the local build (tests/contract/init-loads.test.ts).
 */
const BUILD_DIR = join(ROOT, '.aws-sam', 'build');
const NO_CRYPTO = new Set(['ListProductsFunction']);

const problems: string[] = [];
for (const fn of localTemplate().functions) {
  const dir = join(BUILD_DIR, fn.logicalId);
  const bundle = join(dir, `${fn.handler.split('.')[0] ?? 'index'}.js`);
  if (!existsSync(bundle)) {
    problems.push(`${fn.logicalId}: no ${bundle} (run sam build first)`);
    continue;
  }
  const loads = initLoads(bundle, deployedEnvironment(fn, dir));
  console.log(`${fn.logicalId}: ${JSON.stringify(loads)}`);
  if (loads.semver) problems.push(`${fn.logicalId} evaluates semver at init`);
  if (NO_CRYPTO.has(fn.logicalId) && loads.crypto) problems.push(`${fn.logicalId} loads node:crypto at init`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('sam build artifacts: no semver at init, and no node:crypto where no call needs it');
