import { templateChanges } from '../../../local/dev-loop/template-changes';
import type { LocalTemplate } from '../../../local/template/local-template';
import { localTemplate } from '../../support/template';

/** The dev loop's split of a saved template into what it applies live and what needs a restart. */
const before = localTemplate();
const copy = (): LocalTemplate => structuredClone(before);
const names = (list: { logicalId: string }[]) => list.map((item) => item.logicalId);

it('finds nothing to do in an unchanged template', () => {
  expect(templateChanges(before, copy())).toEqual({ rebuild: [], reconfigure: [], stateMachines: [], needsRestart: [] });
});

it('reconfigures a function whose environment, memory or timeout changed, and rebuilds one whose build settings changed', () => {
  const after = copy();
  const [first, second, third] = after.functions;
  if (!first || !second || !third) throw new Error('the template has fewer than three functions');
  first.environment = { ...first.environment, POWERTOOLS_LOG_LEVEL: 'DEBUG' };
  second.memoryMb += 128;
  third.buildProperties = { ...third.buildProperties, Minify: false };
  third.timeoutSeconds += 1;
  const changes = templateChanges(before, after);
  expect(names(changes.reconfigure)).toEqual([first.logicalId, second.logicalId]);
  expect(names(changes.rebuild)).toEqual([third.logicalId]);
  expect(changes.needsRestart).toEqual([]);
});

it('applies a changed state machine definition live', () => {
  const after = copy();
  const machine = after.stateMachines[0];
  if (!machine) throw new Error('no state machine');
  machine.definition = { ...machine.definition, Comment: 'changed' };
  expect(names(templateChanges(before, after).stateMachines)).toEqual([machine.logicalId]);
});

it('names every change it cannot apply live', () => {
  const after = copy();
  const [fn] = after.functions;
  const [table] = after.tables;
  if (!fn || !table) throw new Error('the template has no function or no table');
  fn.routes = [];
  fn.environment = { ...fn.environment, EXTRA: '1' };
  after.tables = after.tables.slice(1);
  const [bucket] = after.buckets;
  if (!bucket) throw new Error('the template has no bucket');
  after.buckets = [...after.buckets, { ...bucket, logicalId: 'ExtraBucket', name: 'extra' }];
  after.functions = [...after.functions, { ...fn, logicalId: 'ExtraFunction' }];
  const changes = templateChanges(before, after);
  expect(changes.needsRestart).toEqual(
    expect.arrayContaining([`function ${fn.logicalId} changed (routes)`, 'function ExtraFunction added', `table ${table.logicalId} removed`, 'bucket ExtraBucket added']),
  );
  // A function with a change that needs a restart is not half-applied.
  expect(names(changes.reconfigure)).not.toContain(fn.logicalId);
});
