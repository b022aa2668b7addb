import { text } from '../../text';
import { TemplateError, resolve } from '../intrinsics';
import { type TemplateSource, isObject } from './template-source';

export interface LocalApi {
  logicalId: string;
  stageName: string;
  apiKeyRequired: boolean;
  corsPreflightNeedsKey: boolean;
  cors?: { allowMethods: string; allowHeaders: string; allowOrigin: string; maxAge?: string };
  usagePlan?: { rateLimit: number; burstLimit: number; quota?: { limit: number; period: string } };
  stageThrottle?: { rateLimit: number; burstLimit: number };
  models: Record<string, unknown>;
  /** GatewayResponses by response type (BAD_REQUEST_BODY, DEFAULT_4XX, …): what the gateway answers itself. */
  gatewayResponses?: Record<string, LocalGatewayResponse>;
}

/** One entry of an API's GatewayResponses. */
export interface LocalGatewayResponse {
  /** Replaces the response type's own status code. */
  statusCode?: number;
  /** ResponseParameters.Headers, with SAM's quotes removed from the literal values. */
  headers: Record<string, string>;
  /** ResponseTemplates by content type. */
  templates: Record<string, string>;
}

/** The unquoted value of a SAM CORS string such as "'GET,POST'". */
const unquote = (value: unknown): string => text(value).replace(/^'(.*)'$/, '$1');

/** Each AWS::Serverless::Api (with Globals.Api): stage, API keys, usage plan, stage throttle, CORS and models. */
export function readApis(source: TemplateSource): LocalApi[] {
  return source.ofType('AWS::Serverless::Api').map(([logicalId, resource]) => {
    const props = resolve({ ...source.globals.Api, ...resource.Properties }, source.context) as Record<string, unknown>;
    const auth = isObject(props.Auth) ? props.Auth : {};
    const usagePlan = isObject(auth.UsagePlan) ? auth.UsagePlan : undefined;
    const throttle = isObject(usagePlan?.Throttle) ? usagePlan.Throttle : undefined;
    const quota = isObject(usagePlan?.Quota) ? usagePlan.Quota : undefined;
    const methodSettings = Array.isArray(props.MethodSettings) ? props.MethodSettings.filter(isObject) : [];
    const stage = methodSettings.find((setting) => setting.ResourcePath === '/*' && setting.HttpMethod === '*');
    const cors = isObject(props.Cors) ? props.Cors : undefined;
    return {
      logicalId,
      stageName: text(props.StageName, 'Prod'),
      apiKeyRequired: auth.ApiKeyRequired === true,
      corsPreflightNeedsKey: auth.AddApiKeyRequiredToCorsPreflight !== false,
      ...(cors
        ? {
            cors: {
              allowMethods: unquote(cors.AllowMethods ?? "'*'"),
              allowHeaders: unquote(cors.AllowHeaders ?? "'*'"),
              allowOrigin: unquote(cors.AllowOrigin ?? "'*'"),
              ...(cors.MaxAge ? { maxAge: unquote(cors.MaxAge) } : {}),
            },
          }
        : {}),
      ...(throttle
        ? {
            usagePlan: {
              rateLimit: Number(throttle.RateLimit),
              burstLimit: Number(throttle.BurstLimit),
              ...(quota ? { quota: { limit: Number(quota.Limit), period: text(quota.Period) } } : {}),
            },
          }
        : {}),
      ...(stage?.ThrottlingRateLimit !== undefined
        ? { stageThrottle: { rateLimit: Number(stage.ThrottlingRateLimit), burstLimit: Number(stage.ThrottlingBurstLimit) } }
        : {}),
      models: isObject(props.Models) ? props.Models : {},
      ...(isObject(props.GatewayResponses) ? { gatewayResponses: readGatewayResponses(logicalId, props.GatewayResponses) } : {}),
    };
  });
}

function readGatewayResponses(logicalId: string, responses: Record<string, unknown>): Record<string, LocalGatewayResponse> {
  const read = (type: string, response: Record<string, unknown>): LocalGatewayResponse => {
    const parameters = isObject(response.ResponseParameters) ? response.ResponseParameters : {};
    const headers = isObject(parameters.Headers) ? parameters.Headers : {};
    const templates = isObject(response.ResponseTemplates) ? response.ResponseTemplates : {};
    return {
      ...(response.StatusCode !== undefined ? { statusCode: Number(response.StatusCode) } : {}),
      headers: Object.fromEntries(
        Object.entries(headers).map(([name, value]) => {
          // A header value is a quoted literal or a request mapping (method.request.header.Origin), which this gateway cannot evaluate.
          const literal = /^'(.*)'$/s.exec(text(value))?.[1];
          if (literal === undefined) throw new TemplateError(`${logicalId}: GatewayResponses.${type} header ${name} must be a quoted literal ('…') to run locally`);
          return [name, literal];
        }),
      ),
      templates: Object.fromEntries(Object.entries(templates).map(([contentType, template]) => [contentType, text(template)])),
    };
  };
  return Object.fromEntries(Object.entries(responses).filter((entry): entry is [string, Record<string, unknown>] => isObject(entry[1])).map(([type, response]) => [type, read(type, response)]));
}
