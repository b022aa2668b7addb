import { text } from '../../text';
import { resolve } from '../intrinsics';
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
    };
  });
}
