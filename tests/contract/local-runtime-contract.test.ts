import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../local/runtime';
import { loadLocalTemplate } from '../../local/template/local-template';
import { ROOT } from '../support/template';

/** env.json lets `sam local` containers use `npm start`'s emulators; it must name what the runtime creates. */
describe('env.json ↔ local runtime contract', () => {
  const template = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') });
  const config = loadConfig(join(ROOT, 'local', 'config.json'));
  const parameters = (JSON.parse(readFileSync(join(ROOT, 'env.json'), 'utf8')) as { Parameters: Record<string, string> }).Parameters;

  it('points each endpoint variable at the runtime default port', () => {
    expect(parameters.AWS_ENDPOINT_URL_DYNAMODB).toBe(`http://host.docker.internal:${String(config.ports.dynamodb)}`);
    expect(parameters.AWS_ENDPOINT_URL_S3).toBe(`http://host.docker.internal:${String(config.ports.s3)}`);
    expect(parameters.AWS_ENDPOINT_URL_SFN).toBe(`http://host.docker.internal:${String(config.ports.stepfunctions)}`);
  });

  it('uses the table, bucket and state machine names the runtime creates', () => {
    const byName = (id: string) => template.functions.flatMap((fn) => Object.entries(fn.environment)).find(([key]) => key === id)?.[1];
    for (const key of ['ORDERS_TABLE_NAME', 'SIMULATOR_LEDGER_TABLE_NAME', 'RECEIPTS_BUCKET_NAME', 'STATE_MACHINE_ARN']) {
      expect({ key, value: parameters[key] }).toEqual({ key, value: byName(key) });
    }
  });

  it('only sets variables the template declares (sam local ignores the rest)', () => {
    const declared = new Set(template.functions.flatMap((fn) => Object.keys(fn.environment)));
    expect(Object.keys(parameters).filter((key) => !declared.has(key))).toEqual([]);
  });
});
