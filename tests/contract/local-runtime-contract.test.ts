import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../local/runtime';
import { loadLocalTemplate } from '../../local/template/local-template';
import { ROOT } from '../support/template';

/** env.json lets `sam local` containers use `npm start`'s emulators; it must name what the runtime creates. */
describe('env.json ↔ local runtime contract', () => {
  const template = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') });
  const config = loadConfig(join(ROOT, 'local', 'config.json'));
  const file = JSON.parse(readFileSync(join(ROOT, 'env.json'), 'utf8')) as Record<string, Record<string, string>>;
  const parameters = file.Parameters ?? {};

  it('points each endpoint variable at the runtime default port', () => {
    expect(parameters.AWS_ENDPOINT_URL_DYNAMODB).toBe(`http://host.docker.internal:${String(config.ports.dynamodb)}`);
    expect(parameters.AWS_ENDPOINT_URL_S3).toBe(`http://host.docker.internal:${String(config.ports.s3)}`);
    expect(parameters.AWS_ENDPOINT_URL_SFN).toBe(`http://host.docker.internal:${String(config.ports.stepfunctions)}`);
  });

  it('uses the table, bucket and state machine names the runtime creates', () => {
    const byName = (id: string) => template.functions.flatMap((fn) => Object.entries(fn.environment)).find(([key]) => key === id)?.[1];
    for (const key of ['ORDERS_TABLE_NAME', 'SIMULATOR_LEDGER_TABLE_NAME', 'RECEIPTS_BUCKET_NAME']) {
      expect({ key, value: parameters[key] }).toEqual({ key, value: byName(key) });
    }
    // The state machine ARN differs by function (the live alias for CreateOrder, unqualified for the operator routes).
    for (const fn of template.functions.filter((candidate) => candidate.environment.STATE_MACHINE_ARN !== undefined)) {
      expect({ fn: fn.logicalId, value: file[fn.logicalId]?.STATE_MACHINE_ARN ?? parameters.STATE_MACHINE_ARN }).toEqual({ fn: fn.logicalId, value: fn.environment.STATE_MACHINE_ARN });
    }
  });

  it('only sets variables the template declares (sam local ignores the rest)', () => {
    const declared = new Set(template.functions.flatMap((fn) => Object.keys(fn.environment)));
    expect(Object.keys(parameters).filter((key) => !declared.has(key))).toEqual([]);
  });
});
