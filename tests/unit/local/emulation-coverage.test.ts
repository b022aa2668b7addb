import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CoverageReport,
  EMULATION_COVERAGE,
  type ResourceCoverage,
  assertFullyEmulated,
  templateCoverage,
} from '../../../local/template/emulation-coverage';

/*
 * The coverage report on small fixture templates: what the runtime does not run is reported, what has
 * no local meaning is only recorded, and nothing in a template goes unmentioned.
 */

const FUNCTION = `
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [functions/get-order/index.ts]
    Properties:
      CodeUri: ./
      Handler: index.handler
      Runtime: nodejs24.x`;

function fixture(resources: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'coverage-'));
  const path = join(dir, 'template.yaml');
  writeFileSync(path, `AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n${extra}Resources:\n${resources}\n`);
  return path;
}

const summary = (report: CoverageReport) => ({
  notEmulated: report.notEmulated.map((item) => `${item.resource} ${item.what}`),
  ignored: report.ignored.map((item) => `${item.resource} ${item.what}`),
});

describe('emulation coverage', () => {
  it('reports a Kinesis stream and a function with a Kinesis event, and --strict refuses them', () => {
    const report = templateCoverage({
      templatePath: fixture(`  Feed:
    Type: AWS::Kinesis::Stream
  Worker:${FUNCTION}
      Events:
        FromFeed:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Feed.Arn`),
    });
    expect(summary(report)).toEqual({ notEmulated: ['Feed resource', 'Worker Events.FromFeed (Kinesis)'], ignored: [] });
    expect(report.notEmulated[1]).toEqual({
      resource: 'Worker',
      type: 'AWS::Serverless::Function',
      what: 'Events.FromFeed (Kinesis)',
      reason: 'the local runtime does not run Kinesis event sources: nothing is triggered by it',
    });
    expect(() => { assertFullyEmulated(report); }).toThrow(/--strict: the template uses 2 thing\(s\)[\s\S]*Feed \(AWS::Kinesis::Stream\)[\s\S]*Worker \(AWS::Serverless::Function\) Events\.FromFeed \(Kinesis\)/);
  });

  it('runs an SQS queue and a function with an SQS event, and reports a FIFO queue', () => {
    const report = templateCoverage({
      templatePath: fixture(`  Queue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
  Worker:${FUNCTION}
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5`),
    });
    expect(summary(report)).toEqual({ notEmulated: ['Queue FifoQueue'], ignored: [] });
  });

  it('reports an unknown property of an emulated function, nested ones by path, and runs the known ones', () => {
    const report = templateCoverage({
      templatePath: fixture(`  Fn:${FUNCTION}
      Timeout: 5
      MemorySize: 256
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:x:1]
      LoggingConfig:
        LogFormat: JSON
        ApplicationLogLevel: DEBUG`),
    });
    expect(summary(report)).toEqual({ notEmulated: ['Fn Layers', 'Fn LoggingConfig.ApplicationLogLevel'], ignored: ['Fn LoggingConfig.LogFormat'] });
  });

  it('runs Layers that are LayerVersions of the template (also behind an !If), and reports a published layer\'s ARN beside them', () => {
    const layer = `  Sdk:
    Type: AWS::Serverless::LayerVersion
    Condition: On
    Metadata:
      BuildMethod: nodejs24.x
    Properties:
      ContentUri: layers/sdk/
      CompatibleRuntimes: [nodejs24.x]
      RetentionPolicy: Retain`;
    const conditions = 'Parameters:\n  Use:\n    Type: String\n    Default: yes\nConditions:\n  On: !Equals [!Ref Use, yes]\n';
    const own = templateCoverage({ templatePath: fixture(`${layer}\n  Fn:${FUNCTION}\n      Layers: [!If [On, !Ref Sdk, !Ref AWS::NoValue]]`, conditions) });
    expect(summary(own)).toEqual({ notEmulated: [], ignored: ['Sdk CompatibleRuntimes', 'Sdk RetentionPolicy'] });
    const off = templateCoverage({ templatePath: fixture(`${layer}\n  Fn:${FUNCTION}\n      Layers: [!If [On, !Ref Sdk, !Ref AWS::NoValue]]`, conditions), parameterOverrides: { Use: 'no' } });
    expect(summary(off)).toEqual({ notEmulated: [], ignored: [] });
    const mixed = templateCoverage({ templatePath: fixture(`${layer}\n  Fn:${FUNCTION}\n      Layers: [!Ref Sdk, arn:aws:lambda:us-east-1:000000000000:layer:Other:1]`, conditions) });
    expect(summary(mixed).notEmulated).toEqual(['Fn Layers']);
  });

  it('records an alarm and IAM as ignored, never as not emulated', () => {
    const report = templateCoverage({
      templatePath: fixture(`  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: Errors
  Role:
    Type: AWS::IAM::Role
  Fn:${FUNCTION}
      Policies: [AWSLambdaBasicExecutionRole]`),
    });
    expect(summary(report)).toEqual({ notEmulated: [], ignored: ['Alarm resource', 'Role resource', 'Fn Policies'] });
    expect(report.ignored[2]?.reason).toMatch(/IAM is not enforced locally/);
    expect(() => { assertFullyEmulated(report); }).not.toThrow();
  });

  it('checks values the runtime limits (after resolving intrinsics) and Globals sections as written', () => {
    const report = templateCoverage({
      templatePath: fixture(
        `  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: !If [IsProd, NOT_A_TYPE, STANDARD]
      DefinitionUri: machine.asl.json`,
        `Parameters:\n  Env: {Type: String, Default: prod}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nGlobals:\n  Function:\n    Tracing: Active\n  HttpApi:\n    CorsConfiguration: {}\n`,
      ),
      parameterOverrides: {},
    });
    expect(summary(report)).toEqual({ notEmulated: ['Globals.HttpApi resource', 'Machine Type'], ignored: ['Globals.Function Tracing'] });
  });

  it('skips a resource whose Condition is false, since it does not exist', () => {
    const path = fixture(`  Feed:\n    Type: AWS::Kinesis::Stream\n    Condition: WithQueue`, `Parameters:\n  Q: {Type: String, Default: 'no'}\nConditions:\n  WithQueue: !Equals [!Ref Q, 'yes']\n`);
    expect(templateCoverage({ templatePath: path }).notEmulated).toEqual([]);
    expect(templateCoverage({ templatePath: path, parameterOverrides: { Q: 'yes' } }).notEmulated).toHaveLength(1);
  });

  it('takes one registry entry per type: an emulated EventBridge rule reports only the target types it does not run', () => {
    // What the lead does when EventBridge lands: the rule's entry replaces the notEmulated one.
    const registry: Record<string, ResourceCoverage> = {
      ...EMULATION_COVERAGE,
      'AWS::Events::Rule': {
        properties: {
          EventPattern: { runs: 'matched locally' },
          Targets: {
            properties: {
              Id: { runs: 'target id' },
              Arn: { runs: 'Lambda targets', accepts: (arn) => typeof arn === 'string' && arn.includes(':lambda:'), otherwise: 'only Lambda targets run locally' },
            },
          },
        },
      },
    };
    const report = templateCoverage(
      {
        templatePath: fixture(`  Topic:
    Type: AWS::SNS::Topic
  Fn:${FUNCTION}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [shop]}
      Targets:
        - {Id: ToFunction, Arn: !GetAtt Fn.Arn}
        - {Id: ToTopic, Arn: !Ref Topic}`),
      },
      registry,
    );
    expect(summary(report).notEmulated).toEqual(['Topic resource', 'Rule Targets[1].Arn']);
  });
});
