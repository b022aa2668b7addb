import { text } from '../../text';
import { TemplateError, resolve } from '../intrinsics';
import { type TemplateSource, isObject } from './template-source';

/** A route of a WebSocket API and the function its AWS_PROXY integration invokes. */
export interface LocalWebSocketRoute {
  routeKey: string;
  /** The function's ARN (qualified when the integration names its alias). */
  functionArn: string;
  /** A REQUEST authorizer ($connect only, as on AWS). */
  authorizer?: { name: string; functionArn: string; identitySource: string[] };
}

/** An AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET, its stage and routes. */
export interface LocalWebSocketApi {
  logicalId: string;
  apiId: string;
  stageName: string;
  routeSelectionExpression: string;
  /** The stage's DefaultRouteSettings throttle, when set. */
  throttle?: { rateLimit: number; burstLimit: number };
  routes: LocalWebSocketRoute[];
}

const LAMBDA_URI = /^arn:[\w-]+:apigateway:[\w-]+:lambda:path\/2015-03-31\/functions\/(arn:[^/]+)\/invocations$/;

/** The function ARN in an integration or authorizer URI (arn:…:apigateway:…:lambda:path/2015-03-31/functions/<arn>/invocations). */
function lambdaArnOf(uri: unknown, where: string): string {
  const arn = LAMBDA_URI.exec(text(uri))?.[1];
  if (!arn) throw new TemplateError(`${where}: only Lambda integrations (…:lambda:path/2015-03-31/functions/<arn>/invocations) run locally`);
  return arn;
}

/** Each WEBSOCKET AWS::ApiGatewayV2::Api with its Stage, Routes, Integrations and Authorizers, resolved. */
export function readWebSocketApis(source: TemplateSource): LocalWebSocketApi[] {
  const props = (resource: { Properties?: Record<string, unknown> }) => resolve(resource.Properties ?? {}, source.context) as Record<string, unknown>;
  const of = (type: string) => source.ofType(type).map(([id, resource]) => [id, props(resource)] as const);
  const stages = of('AWS::ApiGatewayV2::Stage');
  const routes = of('AWS::ApiGatewayV2::Route');
  const integrations = new Map(of('AWS::ApiGatewayV2::Integration'));
  const authorizers = new Map(of('AWS::ApiGatewayV2::Authorizer'));
  return source
    .ofType('AWS::ApiGatewayV2::Api')
    .filter(([, resource]) => resource.Properties?.ProtocolType === 'WEBSOCKET')
    .map(([logicalId, resource]) => {
      const api = props(resource);
      const apiId = source.physical.apiId(logicalId);
      const stage = stages.find(([, candidate]) => candidate.ApiId === apiId)?.[1];
      if (!stage) throw new TemplateError(`${logicalId}: a WebSocket API needs an AWS::ApiGatewayV2::Stage to run locally`);
      const settings = isObject(stage.DefaultRouteSettings) ? stage.DefaultRouteSettings : {};
      return {
        logicalId,
        apiId,
        stageName: text(stage.StageName),
        routeSelectionExpression: text(api.RouteSelectionExpression, '$request.body.action'),
        ...(settings.ThrottlingRateLimit === undefined
          ? {}
          : { throttle: { rateLimit: Number(settings.ThrottlingRateLimit), burstLimit: Number(settings.ThrottlingBurstLimit ?? settings.ThrottlingRateLimit) } }),
        routes: routes
          .filter(([, route]) => route.ApiId === apiId)
          .map(([routeId, route]) => {
            const integrationId = /^integrations\/(.+)$/.exec(text(route.Target))?.[1];
            const integration = integrationId ? integrations.get(integrationId) : undefined;
            if (!integration || integration.IntegrationType !== 'AWS_PROXY') {
              throw new TemplateError(`${routeId}: a route's Target must be integrations/<an AWS_PROXY AWS::ApiGatewayV2::Integration> to run locally`);
            }
            const authorizerId = route.AuthorizationType === 'CUSTOM' ? text(route.AuthorizerId) : undefined;
            const authorizer = authorizerId ? authorizers.get(authorizerId) : undefined;
            if (authorizerId && authorizer?.AuthorizerType !== 'REQUEST') throw new TemplateError(`${routeId}: only REQUEST authorizers run locally`);
            return {
              routeKey: text(route.RouteKey),
              functionArn: lambdaArnOf(integration.IntegrationUri, integrationId ?? routeId),
              ...(authorizer && authorizerId
                ? {
                    authorizer: {
                      name: text(authorizer.Name, authorizerId),
                      functionArn: lambdaArnOf(authorizer.AuthorizerUri, authorizerId),
                      identitySource: Array.isArray(authorizer.IdentitySource) ? authorizer.IdentitySource.map((entry) => text(entry)) : [],
                    },
                  }
                : {}),
            };
          }),
      };
    });
}
