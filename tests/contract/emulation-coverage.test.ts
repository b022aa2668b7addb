import { join } from 'node:path';
import { type CoverageItem, templateCoverage } from '../../local/template/emulation-coverage';
import { ROOT } from '../support/template';

/*
 * template.yaml's local story, pinned: what `npm start` does not run (warned, refused by --strict)
 * and what it deliberately ignores. A resource, event or property added to the template without a
 * decision shows up here.
 */

const HOW_TO_FIX =
  'template.yaml changed what the local runtime does not run. Decide its local story: emulate it and give it ' +
  '`runs` in local/template/emulation-coverage.ts, or mark it `ignored` there with the reason it has no local meaning, ' +
  'or accept it as not emulated (npm start warns, --strict refuses); then update the pinned list in this test.';

const keys = (items: CoverageItem[]) => items.map((item) => `${item.resource} (${item.type}) ${item.what}`);

function expectPinned(actual: string[], pinned: string[]): void {
  const added = actual.filter((item) => !pinned.includes(item));
  const gone = pinned.filter((item) => !actual.includes(item));
  if (added.length > 0 || gone.length > 0) {
    throw new Error(`${HOW_TO_FIX}\n  new: ${JSON.stringify(added)}\n  no longer reported: ${JSON.stringify(gone)}`);
  }
  expect(actual).toHaveLength(pinned.length);
}

const NOT_EMULATED = [
  'ReceiptsBucket (AWS::S3::Bucket) VersioningConfiguration',
  'AlarmTopic (AWS::SNS::Topic) resource',
  // Rules run locally; their SNS targets do not (matching events are logged and archived).
  'WorkflowAttentionRule (AWS::Events::Rule) Targets[0].Arn',
  'OrderCompensationFailedRule (AWS::Events::Rule) Targets[0].Arn',
  'ConnectionsTable (AWS::DynamoDB::Table) TimeToLiveSpecification',
];

const FUNCTIONS_WITH_POLICIES = ['CreateOrder', 'GetOrder', 'GetReceipt', 'AuthorizePayment', 'CreateShipment', 'CapturePayment', 'GenerateReceipt', 'CancelShipment', 'VoidPayment'];
const ALARMS = ['PublishOrderChangesErrors', 'OrderChangesIteratorAge', 'OrderChangesDeadLetter', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ReceiptsFailed', 'ApiServerErrors', 'ApiLatencyP99', 'ApiFunctionErrors', 'TaskFunctionErrors', 'ApiFunctionThrottles', 'TaskFunctionThrottles'];
const FN = 'AWS::Serverless::Function';

const IGNORED = [
  `Globals.Function (${FN}) Tracing`,
  `Globals.Function (${FN}) DeploymentPreference`,
  `Globals.Function (${FN}) LoggingConfig.LogFormat`,
  `Globals.Function (${FN}) LoggingConfig.LogGroup`,
  `Globals.Function (${FN}) LoggingConfig.SystemLogLevel`,
  ...['Name', 'OpenApiVersion', 'TracingEnabled', 'MethodSettings[0].MetricsEnabled', 'MethodSettings[0].DataTraceEnabled', 'Auth.UsagePlan.UsagePlanName', 'Auth.UsagePlan.Description'].map(
    (what) => `OrdersApi (AWS::Serverless::Api) ${what}`,
  ),
  ...[...FUNCTIONS_WITH_POLICIES, 'ListProducts'].flatMap((name) => [`${name}Function (${FN}) Description`, `${name}Function (${FN}) DeploymentPreference`]),
  ...FUNCTIONS_WITH_POLICIES.map((name) => `${name}Function (${FN}) Policies`),
  ...['Description', 'CompatibleRuntimes', 'CompatibleArchitectures', 'LicenseInfo', 'RetentionPolicy'].map((what) => `StripeSdkLayer (AWS::Serverless::LayerVersion) ${what}`),
  'FunctionLogGroup (AWS::Logs::LogGroup) resource',
  'StateMachineLogGroup (AWS::Logs::LogGroup) resource',
  ...['DeploymentPreference', 'Tracing', 'Logging', 'Policies'].map((what) => `OrderProcessingStateMachine (AWS::Serverless::StateMachine) ${what}`),
  ...['BillingMode', 'PointInTimeRecoverySpecification', 'SSESpecification', 'DeletionProtectionEnabled'].map((what) => `OrdersTable (AWS::DynamoDB::Table) ${what}`),
  ...['BillingMode', 'PointInTimeRecoverySpecification', 'SSESpecification'].map((what) => `SimulatorLedgerTable (AWS::DynamoDB::Table) ${what}`),
  ...['BucketEncryption', 'PublicAccessBlockConfiguration', 'OwnershipControls', 'LifecycleConfiguration'].map((what) => `ReceiptsBucket (AWS::S3::Bucket) ${what}`),
  'ReceiptsBucketPolicy (AWS::S3::BucketPolicy) resource',
  'AlarmTopicPolicy (AWS::SNS::TopicPolicy) resource',
  ...ALARMS.map((name) => `${name}Alarm (AWS::CloudWatch::Alarm) resource`),
  'PipelineDashboard (AWS::CloudWatch::Dashboard) resource',
  ...['Description', 'DeploymentPreference', 'Role'].map((what) => `PublishOrderChangesFunction (${FN}) ${what}`),
  'PublishOrderChangesRole (AWS::IAM::Role) resource',
  ...['Description', 'DeploymentPreference', 'Policies'].map((what) => `AdminOrdersFunction (${FN}) ${what}`),
  'IntegratorsPolicy (AWS::IAM::ManagedPolicy) Description',
  'OperatorsPolicy (AWS::IAM::ManagedPolicy) Description',
  'OrderEventArchive (AWS::Events::Archive) Description',
  'OrderChangesDeadLetterQueue (AWS::SQS::Queue) SqsManagedSseEnabled',
  'OrderCompensationFailedRule (AWS::Events::Rule) Description',
  'WorkflowAttentionRule (AWS::Events::Rule) Description',
  'OrderEventSchemaRegistry (AWS::EventSchemas::Registry) resource',
  ...['CompensationStarted', 'OrderCompleted', 'OrderFailed', 'OrderPlaced', 'PaymentAuthorized', 'PaymentCaptured', 'ReceiptReady', 'ShipmentCreated'].map(
    (event) => `${event}EventSchema (AWS::EventSchemas::Schema) resource`,
  ),
  ...['Description', 'Policies'].map((what) => `UpdatesAuthorizerFunction (${FN}) ${what}`),
  ...['Description', 'DeploymentPreference', 'Policies'].map((what) => `OrderUpdatesFunction (${FN}) ${what}`),
  'WebSocketApi (AWS::ApiGatewayV2::Api) Name',
  'WebSocketApi (AWS::ApiGatewayV2::Api) Description',
  ...['Connect', 'Disconnect', 'Default'].map((route) => `${route}Route (AWS::ApiGatewayV2::Route) OperationName`),
  'WebSocketDeployment (AWS::ApiGatewayV2::Deployment) resource',
  ...['DeploymentId', 'DefaultRouteSettings.DataTraceEnabled', 'AccessLogSettings'].map((what) => `WebSocketStage (AWS::ApiGatewayV2::Stage) ${what}`),
  'WebSocketAccessLogGroup (AWS::Logs::LogGroup) resource',
  'OrderUpdatesInvokePermission (AWS::Lambda::Permission) resource',
  'UpdatesAuthorizerInvokePermission (AWS::Lambda::Permission) resource',
  ...['BillingMode', 'PointInTimeRecoverySpecification', 'SSESpecification'].map((what) => `ConnectionsTable (AWS::DynamoDB::Table) ${what}`),
];

describe('template.yaml emulation coverage', () => {
  const templatePath = join(ROOT, 'template.yaml');

  it('does not run exactly the pinned items, in every environment', () => {
    for (const Environment of ['dev', 'prod']) {
      expectPinned(keys(templateCoverage({ templatePath, parameterOverrides: { Environment } }).notEmulated), NOT_EMULATED);
    }
  });

  it('ignores exactly the pinned items, each with a reason', () => {
    const { ignored } = templateCoverage({ templatePath });
    expectPinned(keys(ignored), IGNORED);
    for (const item of ignored) expect(item.reason.length).toBeGreaterThan(10);
  });

  it('reports the alarm e-mail subscription only when it exists (AlarmEmail set), as ignored', () => {
    const { ignored, notEmulated } = templateCoverage({ templatePath, parameterOverrides: { AlarmEmail: 'ops@example.com' } });
    expect(keys(ignored)).toContain('AlarmEmailSubscription (AWS::SNS::Subscription) resource');
    expectPinned(keys(notEmulated), NOT_EMULATED);
  });
});
