import { loadTemplate, resourcesOfType } from '../support/template';

/*
 * The WebSocket API of docs/realtime-updates.md as template.yaml declares it: the routes, the
 * $connect authorizer on the ticket, the least-privilege IAM and the connections table's TTL.
 */
const resources = loadTemplate().Resources;
const props = (id: string): Record<string, unknown> => {
  const resource = resources[id];
  if (!resource) throw new Error(`template.yaml has no ${id}`);
  return resource.Properties ?? {};
};
const statements = (id: string) =>
  ((props(id).Policies ?? []) as Record<string, unknown>[]).flatMap((policy) => ((policy.Statement ?? []) as Record<string, unknown>[]));

describe('template.yaml: the WebSocket API for order updates', () => {
  it('is a WEBSOCKET API with exactly $connect, $disconnect and $default, all proxied to OrderUpdatesFunction', () => {
    const [[apiId, api] = []] = resourcesOfType('AWS::ApiGatewayV2::Api');
    expect(api?.Properties).toMatchObject({ ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' });
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties ?? {});
    expect(routes.map((route) => route.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    for (const route of routes) {
      expect(route.ApiId).toEqual({ Ref: apiId });
      expect(route.Target).toEqual({ 'Fn::Sub': 'integrations/${OrderUpdatesIntegration}' });
    }
    expect(props('OrderUpdatesIntegration')).toMatchObject({ IntegrationType: 'AWS_PROXY' });
    expect(JSON.stringify(props('OrderUpdatesIntegration').IntegrationUri)).toContain('{"Ref":"OrderUpdatesFunction.Alias"}');
  });

  it('authorizes $connect only, with a REQUEST authorizer on the ticket query parameter', () => {
    const routes = Object.fromEntries(resourcesOfType('AWS::ApiGatewayV2::Route').map(([, route]) => [String(route.Properties?.RouteKey), route.Properties ?? {}]));
    expect(routes.$connect).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'UpdatesAuthorizer' } });
    expect(props('UpdatesAuthorizer')).toMatchObject({ AuthorizerType: 'REQUEST', IdentitySource: ['route.request.querystring.ticket'] });
    expect(JSON.stringify(props('UpdatesAuthorizer').AuthorizerUri)).toContain('{"Ref":"UpdatesAuthorizerFunction.Alias"}');
    expect(props('UpdatesAuthorizerInvokePermission')).toMatchObject({ Principal: 'apigateway.amazonaws.com', FunctionName: { Ref: 'UpdatesAuthorizerFunction.Alias' } });
  });

  it('throttles and access-logs the stage as JSON', () => {
    const stage = props('WebSocketStage');
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: { Ref: 'WebSocketThrottleRateLimit' }, ThrottlingBurstLimit: { Ref: 'WebSocketThrottleBurstLimit' } });
    const access = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(access.DestinationArn).toEqual({ 'Fn::GetAtt': ['WebSocketAccessLogGroup', 'Arn'] });
    expect(Object.keys(JSON.parse(access.Format) as object)).toEqual(expect.arrayContaining(['connectionId', 'routeKey', 'status']));
    // The ticket is a bearer credential in the query string: the log format must not carry it.
    expect(access.Format).not.toMatch(/querystring|ticket/i);
  });

  it('scopes ManageConnections to POST and DELETE on this API and stage', () => {
    const manage = statements('OrderUpdatesFunction').filter((statement) => statement.Action === 'execute-api:ManageConnections');
    expect(manage).toHaveLength(1);
    expect(manage[0]?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${Environment}/POST/@connections/*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${Environment}/DELETE/@connections/*' },
    ]);
    expect(props('WebSocketStage').StageName).toEqual({ Ref: 'Environment' });
    expect(JSON.stringify(resources)).not.toMatch(/execute-api:ManageConnections","Resource":"\*"/);
  });

  it('lets only the ticket signers and the authorizer read the generated ticket key, and only that secret', () => {
    expect(props('UpdatesTicketSecret')).toMatchObject({ GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    expect(props('UpdatesTicketSecret')).not.toHaveProperty('SecretString');
    const readers = resourcesOfType('AWS::Serverless::Function')
      .filter(([, fn]) => JSON.stringify(fn.Properties?.Policies ?? []).includes('UpdatesTicketSecret'))
      .map(([id]) => id);
    expect(readers.sort()).toEqual(['CreateOrderFunction', 'GetOrderFunction', 'UpdatesAuthorizerFunction']);
    for (const id of readers) {
      expect(props(id).Policies).toContainEqual({ AWSSecretsManagerGetSecretValuePolicy: { SecretArn: { Ref: 'UpdatesTicketSecret' } } });
    }
    expect(JSON.stringify(resources)).not.toMatch(/secretsmanager:\*/);
  });

  it('keeps connections in an encrypted, on-demand table with a TTL and a GSI by order', () => {
    expect(props('ConnectionsTable')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byOrder', KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }] }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const connections = statements('OrderUpdatesFunction').find((statement) => statement.Sid === 'Connections');
    expect(connections).toMatchObject({ Resource: { 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] } });
    expect(connections?.Action).toEqual(['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem']);
  });

  it('outputs the WebSocket URL', () => {
    const outputs = (loadTemplate() as unknown as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(outputs.WebSocketUrl?.Value).toEqual({ 'Fn::Sub': 'wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${WebSocketStage}' });
  });
});
