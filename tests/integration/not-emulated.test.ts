import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';

/*
 * npm start names what of template.yaml it does not run: a warning per item before the banner, the
 * lists in runtime.json, and with --strict a refusal to start. template.yaml has such items today
 * (two EventBridge rules' SNS targets, the SNS topic, bucket versioning), pinned in tests/contract/emulation-coverage.test.ts.
 */
jest.setTimeout(120_000);

const EXPECTED = [
  'WorkflowAttentionRule (AWS::Events::Rule) Targets[0].Arn: only Lambda and SQS targets run locally',
  'OrderCompensationFailedRule (AWS::Events::Rule) Targets[0].Arn: only Lambda and SQS targets run locally',
  'AlarmTopic (AWS::SNS::Topic): no local SNS',
  'ReceiptsBucket (AWS::S3::Bucket) VersioningConfiguration:',
  'ConnectionsTable (AWS::DynamoDB::Table) TimeToLiveSpecification: dynalite has no TTL',
];

describe('npm start -- --strict', () => {
  it('refuses to start, listing everything the template uses that is not emulated, and writes no runtime.json', async () => {
    const stateDir = newStateDir();
    const failure = await startLocalRuntime(stateDir, { fresh: true, strict: true }).then(
      async (runtime) => {
        await runtime.stop();
        return undefined;
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(failure).toContain('exited with 1');
    expect(failure).toContain('failed to start: --strict: the template uses 5 thing(s) the local runtime does not emulate');
    for (const item of EXPECTED) expect(failure).toContain(`  - ${item}`);
    expect(existsSync(join(stateDir, 'runtime.json'))).toBe(false);
  });
});

describe('npm start without --strict', () => {
  let runtime: LocalRuntimeProcess;
  beforeAll(async () => {
    runtime = await startLocalRuntime(newStateDir(), { fresh: true });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('warns once per item not emulated, says so in the banner, and lists both kinds in runtime.json', () => {
    for (const item of EXPECTED) expect(runtime.output()).toContain(`[local] warning: not emulated: ${item}`);
    expect(runtime.output()).toContain('Not emulated   5 item(s)');
    expect(runtime.info.notEmulated.map((item) => item.resource).sort()).toEqual(['AlarmTopic', 'ConnectionsTable', 'OrderCompensationFailedRule', 'ReceiptsBucket', 'WorkflowAttentionRule']);
    // Ignored items are recorded, never warned about.
    expect(runtime.info.ignored.find((item) => item.resource === 'ApiServerErrorsAlarm')).toMatchObject({ type: 'AWS::CloudWatch::Alarm', what: 'resource' });
    expect(runtime.output()).not.toContain('ApiServerErrorsAlarm');
  });
});
