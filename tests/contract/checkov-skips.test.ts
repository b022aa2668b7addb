import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yamlParse } from 'yaml-cfn';
import { ROOT, resourcesOfType } from '../support/template';

/*
 * checkov's config file can only skip a check for the whole scan, not for one resource. Each skip in
 * .checkov.yaml was reasoned for the resources listed here; a new resource of a skipped type must
 * get its own decision (fix the finding, or add it here after checking the reason holds), so this
 * test fails until it has one.
 */
const REASONED: Record<string, { type: string; resources: 'every' | string[] }> = {
  CKV_AWS_115: { type: 'AWS::Serverless::Function', resources: 'every' },
  CKV_AWS_116: { type: 'AWS::Serverless::Function', resources: 'every' },
  CKV_AWS_117: { type: 'AWS::Serverless::Function', resources: 'every' },
  CKV_AWS_173: { type: 'AWS::Serverless::Function', resources: 'every' },
  CKV_AWS_76: { type: 'AWS::Serverless::Api', resources: ['OrdersApi'] },
  CKV_AWS_120: { type: 'AWS::Serverless::Api', resources: ['OrdersApi'] },
  CKV_AWS_158: { type: 'AWS::Logs::LogGroup', resources: ['FunctionLogGroup', 'StateMachineLogGroup', 'WebSocketAccessLogGroup'] },
  CKV_AWS_119: { type: 'AWS::DynamoDB::Table', resources: ['OrdersTable', 'SimulatorLedgerTable', 'ConnectionsTable'] },
  CKV_AWS_18: { type: 'AWS::S3::Bucket', resources: ['ReceiptsBucket'] },
  CKV_AWS_26: { type: 'AWS::SNS::Topic', resources: ['AlarmTopic'] },
  CKV_AWS_309: { type: 'AWS::ApiGatewayV2::Route', resources: ['ConnectRoute', 'DisconnectRoute', 'DefaultRoute'] },
  CKV_AWS_149: { type: 'AWS::SecretsManager::Secret', resources: ['UpdatesTicketSecret'] },
  CKV2_AWS_57: { type: 'AWS::SecretsManager::Secret', resources: ['UpdatesTicketSecret'] },
  CKV_AWS_27: { type: 'AWS::SQS::Queue', resources: ['OrderChangesDeadLetterQueue'] },
};

const skipped = (yamlParse(readFileSync(join(ROOT, '.checkov.yaml'), 'utf8')) as { 'skip-check'?: string[] })['skip-check'] ?? [];

describe('.checkov.yaml skips', () => {
  it('skips only checks whose reason was given for specific resources', () => {
    expect([...skipped].sort()).toEqual(Object.keys(REASONED).sort());
  });

  it.each(Object.entries(REASONED))('%s covers only the resources its reason was written for', (_check, { type, resources }) => {
    const present = resourcesOfType(type).map(([id]) => id).sort();
    if (resources === 'every') expect(present.length).toBeGreaterThan(0);
    else expect(present).toEqual([...resources].sort());
  });
});
