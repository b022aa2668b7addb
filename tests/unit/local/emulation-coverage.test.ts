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
  it('reports an SQS queue and a function with an SQS event, and --strict refuses them', () => {
    const report = templateCoverage({
      templatePath: fixture(`  Queue:
    Type: AWS::SQS::Queue
  Worker:${FUNCTION}
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn`),
    });
    expect(summary(report)).toEqual({ notEmulated: ['Queue resource', 'Worker Events.FromQueue (SQS)'], ignored: [] });
    expect(report.notEmulated[1]).toEqual({
      resource: 'Worker',
      type: 'AWS::Serverless::Function',
      what: 'Events.FromQueue (SQS)',
      reason: 'the local runtime does not run SQS event sources: nothing is triggered by it',
    });
    expect(() => { assertFullyEmulated(report); }).toThrow(/--strict: the template uses 2 thing\(s\)[\s\S]*Queue \(AWS::SQS::Queue\)[\s\S]*Worker \(AWS::Serverless::Function\) Events\.FromQueue \(SQS\)/);
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
      Type: !If [IsProd, EXPRESS, STANDARD]
      DefinitionUri: machine.asl.json`,
        `Parameters:\n  Env: {Type: String, Default: prod}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nGlobals:\n  Function:\n    Tracing: Active\n  HttpApi:\n    CorsConfiguration: {}\n`,
      ),
      parameterOverrides: {},
    });
    expect(summary(report)).toEqual({ notEmulated: ['Globals.HttpApi resource', 'Machine Type'], ignored: ['Globals.Function Tracing'] });
  });

  it('skips a resource whose Condition is false, since it does not exist', () => {
    const path = fixture(`  Queue:\n    Type: AWS::SQS::Queue\n    Condition: WithQueue`, `Parameters:\n  Q: {Type: String, Default: 'no'}\nConditions:\n  WithQueue: !Equals [!Ref Q, 'yes']\n`);
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
