import { text } from '../../text';
import { TemplateError, resolve } from '../intrinsics';
import type { LocalApi } from './apis';
import { type LocalLayer, readLayers } from './layers';
import { type TemplateSource, isObject } from './template-source';

export interface LocalApiRoute {
  method: string;
  /** API Gateway path template, e.g. /orders/{orderId}. */
  path: string;
  apiKeyRequired: boolean;
  /** Auth.Authorizer AWS_IAM: SigV4 and execute-api:Invoke instead of (or besides) the API key. */
  iam?: boolean;
  model?: { name: string; required: boolean; validateBody: boolean };
}

export interface LocalFunction {
  logicalId: string;
  name: string;
  arn: string;
  aliasArn?: string;
  runtime: string;
  handler: string;
  entryPoint: string;
  buildProperties: Record<string, unknown>;
  timeoutSeconds: number;
  memoryMb: number;
  /** arm64 or x86_64 (Lambda's default), from Architectures. */
  architecture: 'arm64' | 'x86_64';
  environment: Record<string, string>;
  /** ReservedConcurrentExecutions, when set: the function's own concurrency cap. */
  reservedConcurrency?: number;
  /** LoggingConfig.SystemLogLevel (Lambda's default INFO): at WARN, Lambda sends no START, END or REPORT lines to CloudWatch Logs. */
  systemLogLevel?: string;
  routes: (LocalApiRoute & { apiLogicalId: string })[];
  /**
   * Layers, in order, that are LayerVersions of this template (Lambda unpacks each into /opt, a later
   * one over an earlier). Any other ARN is left out here: emulation-coverage reports it.
   */
  layers: LocalLayer[];
}

/** Each esbuild-built AWS::Serverless::Function (with Globals.Function), with the Api events that route to it. */
export function readFunctions(source: TemplateSource, apis: LocalApi[]): LocalFunction[] {
  const { context, physical } = source;
  const globals = source.globals.Function;
  const layers = new Map(readLayers(source).map((layer) => [layer.arn, layer]));
  return source.ofType('AWS::Serverless::Function').map(([logicalId, resource]) => {
    const own = resource.Properties ?? {};
    const merged = resolve({ ...globals, ...own }, context) as Record<string, unknown>;
    const environment = {
      ...((resolve(globals.Environment, context) as { Variables?: Record<string, unknown> } | null)?.Variables ?? {}),
      ...((resolve(own.Environment, context) as { Variables?: Record<string, unknown> } | null)?.Variables ?? {}),
    };
    const build = (isObject(resource.Metadata?.BuildProperties) ? resource.Metadata.BuildProperties : {});
    const entryPoints = Array.isArray(build.EntryPoints) ? build.EntryPoints.map(String) : [];
    const codeUri = text(merged.CodeUri, '.');
    const entryPoint = entryPoints[0];
    if (resource.Metadata?.BuildMethod !== 'esbuild' || !entryPoint) {
      throw new TemplateError(`${logicalId}: only esbuild-built functions with EntryPoints are supported locally`);
    }
    return {
      logicalId,
      name: logicalId,
      arn: physical.functionArn(logicalId),
      ...(typeof merged.AutoPublishAlias === 'string' ? { aliasArn: `${physical.functionArn(logicalId)}:${merged.AutoPublishAlias}` } : {}),
      runtime: text(merged.Runtime),
      handler: text(merged.Handler),
      entryPoint: codeUri === '.' || codeUri === './' ? entryPoint : `${codeUri.replace(/\/$/, '')}/${entryPoint}`,
      buildProperties: build,
      timeoutSeconds: Number(merged.Timeout ?? 3),
      memoryMb: Number(merged.MemorySize ?? 128),
      architecture: Array.isArray(merged.Architectures) && merged.Architectures[0] === 'arm64' ? 'arm64' : 'x86_64',
      environment: Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, text(value)])),
      ...(merged.ReservedConcurrentExecutions === undefined ? {} : { reservedConcurrency: Number(merged.ReservedConcurrentExecutions) }),
      systemLogLevel: text((isObject(merged.LoggingConfig) ? merged.LoggingConfig.SystemLogLevel : undefined) ?? 'INFO'),
      routes: readRoutes(logicalId, merged, apis),
      // A Layers entry given as !If […, AWS::NoValue] resolves to '' when its condition is false.
      layers: (Array.isArray(merged.Layers) ? merged.Layers : []).flatMap((arn) => layers.get(text(arn)) ?? []),
    };
  });
}

/** The function's Api events, each bound to its AWS::Serverless::Api (whose auth is the default). */
function readRoutes(logicalId: string, merged: Record<string, unknown>, apis: LocalApi[]): LocalFunction['routes'] {
  return Object.values(isObject(merged.Events) ? merged.Events : {})
    .filter(isObject)
    .filter((event) => event.Type === 'Api' && isObject(event.Properties))
    .map((event) => {
      const properties = event.Properties as Record<string, unknown>;
      const apiLogicalId = text(properties.RestApiId);
      const api = apis.find((candidate) => candidate.logicalId === apiLogicalId);
      if (!api) throw new TemplateError(`${logicalId}: Api event needs a RestApiId of an AWS::Serverless::Api in the template`);
      const eventAuth = isObject(properties.Auth) ? properties.Auth : {};
      const model = isObject(properties.RequestModel) ? properties.RequestModel : undefined;
      return {
        apiLogicalId,
        method: text(properties.Method).toUpperCase(),
        path: text(properties.Path),
        apiKeyRequired: typeof eventAuth.ApiKeyRequired === 'boolean' ? eventAuth.ApiKeyRequired : api.apiKeyRequired,
        ...(eventAuth.Authorizer === 'AWS_IAM' ? { iam: true } : {}),
        ...(model
          ? { model: { name: text(model.Model), required: model.Required === true, validateBody: model.ValidateBody !== false } }
          : {}),
      };
    });
}
