import { DETAIL_TYPES } from '#domain/order-events';
import { schemaText } from '../support/event-schemas';
import { type CfnResource, loadTemplate, resourcesOfType } from '../support/template';

/*
 * The change feed and the domain events in template.yaml: the stream, the event source mapping's
 * failure handling, the publisher's exact permissions, the registered schemas (equal to the files
 * in events/schemas/), the archive and the operator rule.
 */

const resources = loadTemplate().Resources;
function resource(id: string): CfnResource & { Properties: Record<string, unknown> } {
  const found = resources[id];
  if (!found?.Properties) throw new Error(`template.yaml has no ${id}`);
  return found as CfnResource & { Properties: Record<string, unknown> };
}
const publisher = resource('PublishOrderChangesFunction').Properties;
type Statement = { Sid?: string; Effect: string; Action: unknown; Resource: unknown };

describe('template.yaml: the orders change feed', () => {
  it('streams the orders table with old and new images', () => {
    expect(resource('OrdersTable').Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('reads the stream in small batches that bisect, retry a bounded number of times, report partial failures and end in an encrypted DLQ', () => {
    const events = publisher.Events as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    expect(Object.values(events)).toEqual([
      {
        Type: 'DynamoDB',
        Properties: {
          Stream: { 'Fn::GetAtt': ['OrdersTable', 'StreamArn'] },
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: expect.any(Number) as number,
          MaximumBatchingWindowInSeconds: expect.any(Number) as number,
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: expect.any(Number) as number,
          MaximumRecordAgeInSeconds: expect.any(Number) as number,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['OrderChangesDeadLetterQueue', 'Arn'] } } },
        },
      },
    ]);
    const mapping = Object.values(events)[0]?.Properties ?? {};
    expect(mapping.BatchSize).toBeLessThanOrEqual(100);
    expect(mapping.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(resource('OrderChangesDeadLetterQueue').Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('alarms on the DLQ depth, the iterator age and function errors, to the alarm topic', () => {
    const dlq = resource('OrderChangesDeadLetterAlarm').Properties;
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['OrderChangesDeadLetterQueue', 'QueueName'] } }],
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    for (const id of ['OrderChangesIteratorAgeAlarm', 'PublishOrderChangesErrorsAlarm']) {
      expect(resource(id).Properties).toMatchObject({ Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'PublishOrderChangesFunction' } }], AlarmActions: [{ Ref: 'AlarmTopic' }] });
    }
  });

  it("gives the publisher the bus name and the event source, and the push's connections table, management endpoint and orders path (the same as OrderUpdatesFunction's)", () => {
    const updates = (resource('OrderUpdatesFunction').Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect((publisher.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({
      EVENT_BUS_NAME: { Ref: 'OrderEventBus' },
      EVENT_SOURCE: { Ref: 'EventSource' },
      CONNECTIONS_TABLE_NAME: { Ref: 'ConnectionsTable' },
      WEBSOCKET_MANAGEMENT_ENDPOINT: updates.WEBSOCKET_MANAGEMENT_ENDPOINT,
      ORDERS_BASE_PATH: updates.ORDERS_BASE_PATH,
    });
    expect(updates.WEBSOCKET_MANAGEMENT_ENDPOINT).toEqual({ 'Fn::Sub': 'https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Environment}' });
    expect((loadTemplate() as { Parameters?: Record<string, { Default?: string }> }).Parameters?.EventSource?.Default).toBe('order-processing');
  });

  it("lets the publisher read this stream, put events on this bus, send to this DLQ, query the connections' byOrder index, delete connections and manage this stage's connections, and nothing else", () => {
    expect(publisher.Policies).toBeUndefined();
    expect(publisher.Role).toEqual({ 'Fn::GetAtt': ['PublishOrderChangesRole', 'Arn'] });
    const role = resource('PublishOrderChangesRole').Properties;
    expect(role.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess' },
    ]);
    const statements = (role.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);
    expect(statements.map(({ Effect, Action, Resource }) => ({ Effect, Action, Resource }))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: { 'Fn::GetAtt': ['OrdersTable', 'StreamArn'] } },
      { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': ['OrderEventBus', 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['OrderChangesDeadLetterQueue', 'Arn'] } },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Sub': '${ConnectionsTable.Arn}/index/byOrder' } },
      { Effect: 'Allow', Action: 'dynamodb:DeleteItem', Resource: { 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] } },
      {
        Effect: 'Allow',
        Action: 'execute-api:ManageConnections',
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${Environment}/POST/@connections/*' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${Environment}/DELETE/@connections/*' },
        ],
      },
    ]);
  });

  it('gives no other function a permission on the bus', () => {
    const others = resourcesOfType('AWS::Serverless::Function').filter(([id]) => id !== 'PublishOrderChangesFunction');
    for (const [id, fn] of others) expect({ id, policies: JSON.stringify(fn.Properties?.Policies ?? []) }).not.toEqual({ id, policies: expect.stringMatching(/events:|EventBridge|OrderEventBus/) as string });
  });
});

describe('template.yaml: the order event bus', () => {
  it('archives every event of the source for a retention the template sets', () => {
    expect(resource('OrderEventArchive').Properties).toMatchObject({
      SourceArn: { 'Fn::GetAtt': ['OrderEventBus', 'Arn'] },
      RetentionDays: { Ref: 'EventArchiveRetentionDays' },
      EventPattern: { source: [{ Ref: 'EventSource' }] },
    });
  });

  it('sends OrderFailed with CompensationFailed on the bus to the alarm topic, and the topic lets that rule publish', () => {
    expect(resource('OrderCompensationFailedRule').Properties).toEqual({
      Description: expect.any(String) as string,
      EventBusName: { Ref: 'OrderEventBus' },
      EventPattern: { source: [{ Ref: 'EventSource' }], 'detail-type': ['OrderFailed'], detail: { failure: { code: ['CompensationFailed'] } } },
      Targets: [{ Id: 'AlarmTopic', Arn: { Ref: 'AlarmTopic' } }],
    });
    const policy = resource('AlarmTopicPolicy').Properties.PolicyDocument as { Statement: (Statement & { Condition?: Record<string, Record<string, unknown>> })[] };
    const fromEvents = policy.Statement.find((statement) => statement.Sid === 'AllowEventBridge');
    expect(fromEvents?.Condition?.ArnEquals?.['aws:SourceArn']).toEqual([
      // The rule exists only for Standard workflows (Express sends no status changes to EventBridge).
      { 'Fn::If': ['IsStandard', { 'Fn::GetAtt': ['WorkflowAttentionRule', 'Arn'] }, { Ref: 'AWS::NoValue' }] },
      { 'Fn::GetAtt': ['OrderCompensationFailedRule', 'Arn'] },
    ]);
  });
});

describe('template.yaml: registered event schemas', () => {
  const schemas = resourcesOfType('AWS::EventSchemas::Schema');

  it('registers one JSONSchemaDraft4 schema per detail-type, named <source>@<DetailType>', () => {
    expect(schemas.map(([id]) => id).sort()).toEqual(DETAIL_TYPES.map((type) => `${type}EventSchema`).sort());
    for (const [id, schema] of schemas) {
      const type = id.replace(/EventSchema$/, '');
      expect(schema.Properties).toMatchObject({
        RegistryName: { 'Fn::GetAtt': ['OrderEventSchemaRegistry', 'RegistryName'] },
        SchemaName: { 'Fn::Sub': `\${EventSource}@${type}` },
        Type: 'JSONSchemaDraft4',
      });
    }
  });

  it.each([...DETAIL_TYPES])('inlines exactly events/schemas/%s.json as the schema content', (type) => {
    const content = resources[`${type}EventSchema`]?.Properties?.Content;
    expect(typeof content).toBe('string');
    expect(JSON.parse(content as string)).toEqual(JSON.parse(schemaText(type)));
  });
});
