import { readFileSync } from 'node:fs';
import { yamlParse } from 'yaml-cfn';
import { text } from '../text';
import { type ResolutionContext, TemplateError, resolve } from './intrinsics';

/*
 * Reads template.yaml and turns the resources the local runtime emulates into plain, resolved
 * descriptions. Nothing here knows the project's functions by name.
 */

export interface LocalApiRoute {
  method: string;
  /** API Gateway path template, e.g. /orders/{orderId}. */
  path: string;
  apiKeyRequired: boolean;
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
  routes: (LocalApiRoute & { apiLogicalId: string })[];
}

export interface LocalTable {
  logicalId: string;
  name: string;
  keySchema: { AttributeName: string; KeyType: string }[];
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
}

export interface LocalBucket {
  logicalId: string;
  name: string;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  type: string;
  definition: Record<string, unknown>;
  /** AutoPublishAlias: the runtime then publishes a version per distinct definition, behind this alias. */
  alias?: string;
}

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

export interface LocalTemplate {
  region: string;
  accountId: string;
  functions: LocalFunction[];
  tables: LocalTable[];
  buckets: LocalBucket[];
  stateMachines: LocalStateMachine[];
  apis: LocalApi[];
}

export interface LoadOptions {
  templatePath: string;
  region?: string;
  accountId?: string;
  stackName?: string;
  parameterOverrides?: Record<string, string>;
}

interface RawResource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

interface RawTemplate {
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Globals?: { Function?: Record<string, unknown>; Api?: Record<string, unknown> };
  Resources: Record<string, RawResource>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The unquoted value of a SAM CORS string such as "'GET,POST'". */
const unquote = (value: unknown): string => text(value).replace(/^'(.*)'$/, '$1');

/** Loads and resolves template.yaml for the local runtime. */
export function loadLocalTemplate(options: LoadOptions): LocalTemplate {
  const raw = yamlParse(readFileSync(options.templatePath, 'utf8')) as RawTemplate;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const stackName = options.stackName ?? 'local';
  const resources = raw.Resources;

  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(raw.Parameters ?? {})) {
    const value = options.parameterOverrides?.[name] ?? parameter.Default;
    if (value !== undefined) parameters[name] = text(value);
  }
  const conditionCache = new Map<string, boolean>();

  const physical = {
    table: (id: string) => `${stackName}-${id}`,
    bucket: (id: string) => `${stackName}-${id}`.toLowerCase(),
    functionArn: (id: string) => `arn:aws:lambda:${region}:${accountId}:function:${id}`,
    stateMachineArn: (id: string) => `arn:aws:states:${region}:${accountId}:stateMachine:${id}`,
  };

  /**
   * SAM turns a state machine's AutoPublishAlias into a resource named `<id>Alias<alias>`, whose Ref
   * is the alias ARN (`<id>.Alias` works for functions only).
   */
  const stateMachineAliasArn = (name: string): string | undefined => {
    for (const [id, resource] of Object.entries(resources)) {
      const alias = resource.Properties?.AutoPublishAlias;
      if (resource.Type === 'AWS::Serverless::StateMachine' && typeof alias === 'string' && name === `${id}Alias${alias}`) {
        return `${physical.stateMachineArn(id)}:${alias}`;
      }
    }
    return undefined;
  };

  const context: ResolutionContext = {
    ref(name) {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': region,
        'AWS::AccountId': accountId,
        'AWS::StackName': stackName,
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::NoValue': '',
      };
      if (name in pseudo) return pseudo[name] ?? '';
      if (name in parameters) return parameters[name] ?? '';
      if (name.endsWith('.Alias')) {
        const id = name.slice(0, -'.Alias'.length);
        const alias = resources[id]?.Properties?.AutoPublishAlias ?? raw.Globals?.Function?.AutoPublishAlias;
        if (resources[id]?.Type !== 'AWS::Serverless::Function' || typeof alias !== 'string') throw new TemplateError(`!Ref ${name}: no AutoPublishAlias`);
        return `${physical.functionArn(id)}:${alias}`;
      }
      const resource = resources[name];
      if (!resource) {
        const aliasArn = stateMachineAliasArn(name);
        if (aliasArn) return aliasArn;
        throw new TemplateError(`!Ref ${name}: no such parameter or resource`);
      }
      switch (resource.Type) {
        case 'AWS::DynamoDB::Table':
          return physical.table(name);
        case 'AWS::S3::Bucket':
          return physical.bucket(name);
        case 'AWS::Serverless::StateMachine':
          return physical.stateMachineArn(name);
        default:
          return name;
      }
    },
    getAtt(resourceId, attribute) {
      const resource = resources[resourceId];
      if (!resource) throw new TemplateError(`!GetAtt ${resourceId}.${attribute}: no such resource`);
      const key = `${resource.Type}.${attribute}`;
      switch (key) {
        case 'AWS::DynamoDB::Table.Arn':
          return `arn:aws:dynamodb:${region}:${accountId}:table/${physical.table(resourceId)}`;
        case 'AWS::S3::Bucket.Arn':
          return `arn:aws:s3:::${physical.bucket(resourceId)}`;
        case 'AWS::Serverless::Function.Arn':
          return physical.functionArn(resourceId);
        case 'AWS::Serverless::StateMachine.Name':
          return resourceId;
        case 'AWS::Serverless::StateMachine.Arn':
          return physical.stateMachineArn(resourceId);
        default:
          return `arn:aws:local:${region}:${accountId}:${resourceId}/${attribute}`;
      }
    },
    condition(name) {
      const cached = conditionCache.get(name);
      if (cached !== undefined) return cached;
      const definition = raw.Conditions?.[name];
      if (definition === undefined) throw new TemplateError(`Unknown condition ${name}`);
      const value = resolve(definition, context) === true;
      conditionCache.set(name, value);
      return value;
    },
  };
  const included = ([, resource]: [string, RawResource]) => !resource.Condition || context.condition(resource.Condition);
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type).filter(included);

  const apis: LocalApi[] = ofType('AWS::Serverless::Api').map(([logicalId, resource]) => {
    const props = resolve({ ...raw.Globals?.Api, ...resource.Properties }, context) as Record<string, unknown>;
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

  const globals = raw.Globals?.Function ?? {};
  const functions: LocalFunction[] = ofType('AWS::Serverless::Function').map(([logicalId, resource]) => {
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
    const routes = Object.values(isObject(merged.Events) ? merged.Events : {})
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
          ...(model
            ? { model: { name: text(model.Model), required: model.Required === true, validateBody: model.ValidateBody !== false } }
            : {}),
        };
      });
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
      routes,
    };
  });

  const tables: LocalTable[] = ofType('AWS::DynamoDB::Table').map(([logicalId, resource]) => ({
    logicalId,
    name: physical.table(logicalId),
    keySchema: resource.Properties?.KeySchema as LocalTable['keySchema'],
    attributeDefinitions: resource.Properties?.AttributeDefinitions as LocalTable['attributeDefinitions'],
  }));

  const buckets: LocalBucket[] = ofType('AWS::S3::Bucket').map(([logicalId]) => ({ logicalId, name: physical.bucket(logicalId) }));

  const stateMachines: LocalStateMachine[] = ofType('AWS::Serverless::StateMachine').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const uri = props.DefinitionUri;
    if (typeof uri !== 'string') throw new TemplateError(`${logicalId}: DefinitionUri must be a local file path`);
    const substitutions = (resolve(props.DefinitionSubstitutions ?? {}, context) ?? {}) as Record<string, unknown>;
    const source = readFileSync(new URL(uri, `file://${options.templatePath}`), 'utf8').replace(/\$\{([^}]+)\}/g, (whole, key: string) =>
      key in substitutions ? text(substitutions[key]) : whole,
    );
    return {
      logicalId,
      name: logicalId,
      arn: physical.stateMachineArn(logicalId),
      type: text(props.Type, 'STANDARD'),
      definition: JSON.parse(source) as Record<string, unknown>,
      ...(typeof props.AutoPublishAlias === 'string' ? { alias: props.AutoPublishAlias } : {}),
    };
  });

  return { region, accountId, functions, tables, buckets, stateMachines, apis };
}
