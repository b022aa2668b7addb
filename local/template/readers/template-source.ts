import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { yamlParse } from 'yaml-cfn';
import { text } from '../../text';
import { type ResolutionContext, TemplateError, resolve } from '../intrinsics';

export interface LoadOptions {
  templatePath: string;
  region?: string;
  accountId?: string;
  stackName?: string;
  parameterOverrides?: Record<string, string>;
}

export interface RawResource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

interface RawTemplate {
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Globals?: { Function?: Record<string, unknown>; Api?: Record<string, unknown> } & Record<string, Record<string, unknown> | undefined>;
  Resources: Record<string, RawResource>;
}

/** The names a stack deployed as `stackName` gives each resource. */
export interface PhysicalNames {
  table(id: string): string;
  /** The stable stream ARN of a table with a StreamSpecification (`!GetAtt T.StreamArn`). */
  tableStreamArn(id: string): string;
  bucket(id: string): string;
  /** An AWS::SQS::Queue's QueueName, else `<stack>-<id>`. */
  queue(id: string): string;
  queueArn(id: string): string;
  /** The AWS-form queue URL `!Ref Queue` gives; the local SQS endpoint finds a queue by its last path segment. */
  queueUrl(id: string): string;
  /** An AWS::Events::EventBus's Name. */
  eventBus(id: string): string;
  eventBusArn(id: string): string;
  functionArn(id: string): string;
  /** `!Ref` of a LayerVersion: its version ARN (version 1: a local layer is never republished). */
  layerVersionArn(id: string): string;
  stateMachineArn(id: string): string;
  /** The id API Gateway would give an AWS::ApiGatewayV2::Api: 10 lower-case characters, stable per logical id. */
  apiId(id: string): string;
  /** An AWS::SecretsManager::Secret's name (its Name, else CloudFormation's `<logicalId>-<suffix>`) and ARN (name plus Secrets Manager's 6-character suffix). */
  secret(id: string): { name: string; arn: string };
}

/**
 * template.yaml parsed, with what every resource reader needs: the Globals, the resources of a
 * type whose Condition holds, physical names, and the context that resolves intrinsics.
 */
export interface TemplateSource {
  templatePath: string;
  region: string;
  accountId: string;
  globals: { Function: Record<string, unknown>; Api: Record<string, unknown> };
  physical: PhysicalNames;
  context: ResolutionContext;
  /** The resources of one type whose Condition (if any) is true, as [logicalId, resource]. */
  ofType(type: string): [string, RawResource][];
  /** Every resource whose Condition (if any) is true, and every Globals section as written: what emulation-coverage.ts checks. */
  all(): { resources: [string, RawResource][]; globals: Record<string, Record<string, unknown>> };
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses template.yaml and binds its parameters (with overrides), pseudo parameters and conditions. */
export function openTemplate(options: LoadOptions): TemplateSource {
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

  // A name property resolved on demand (it may use !Sub with the stack name or a parameter).
  const resolvedName = (id: string, property: string): unknown => {
    const value = resources[id]?.Properties?.[property];
    return value === undefined ? undefined : resolve(value, context);
  };
  const physical: PhysicalNames = {
    table: (id: string) => `${stackName}-${id}`,
    // One label for every start, so the ARN functions and mappings hold stays valid across restarts.
    tableStreamArn: (id: string) => `arn:aws:dynamodb:${region}:${accountId}:table/${stackName}-${id}/stream/1970-01-01T00:00:00.000`,
    bucket: (id: string) => `${stackName}-${id}`.toLowerCase(),
    queue: (id: string) => text(resolvedName(id, 'QueueName') ?? `${stackName}-${id}`),
    queueArn: (id: string) => `arn:aws:sqs:${region}:${accountId}:${physical.queue(id)}`,
    queueUrl: (id: string) => `https://sqs.${region}.amazonaws.com/${accountId}/${physical.queue(id)}`,
    eventBus: (id: string) => text(resolvedName(id, 'Name') ?? `${stackName}-${id}`),
    eventBusArn: (id: string) => `arn:aws:events:${region}:${accountId}:event-bus/${physical.eventBus(id)}`,
    functionArn: (id: string) => `arn:aws:lambda:${region}:${accountId}:function:${id}`,
    layerVersionArn: (id: string) => `arn:aws:lambda:${region}:${accountId}:layer:${id}:1`,
    stateMachineArn: (id: string) => `arn:aws:states:${region}:${accountId}:stateMachine:${id}`,
    apiId: (id: string) => createHash('sha256').update(`${stackName}/${id}`).digest('hex').replace(/[0-9]/g, (digit) => 'ghijklmnop'[Number(digit)] ?? 'x').slice(0, 10),
    secret: (id: string) => {
      const suffix = createHash('sha256').update(`${stackName}/${id}`).digest('base64url').replace(/[^A-Za-z]/g, '');
      const named = resources[id]?.Properties?.Name;
      const name = typeof named === 'string' ? named : `${id}-${suffix.slice(0, 12)}`;
      return { name, arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix.slice(12, 18)}` };
    },
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
        case 'AWS::SQS::Queue':
          return physical.queueUrl(name);
        case 'AWS::Events::EventBus':
          return physical.eventBus(name);
        case 'AWS::ApiGatewayV2::Api':
          return physical.apiId(name);
        case 'AWS::ApiGatewayV2::Stage':
          return text(resolve(resource.Properties?.StageName, context));
        case 'AWS::SecretsManager::Secret':
          return physical.secret(name).arn;
        case 'AWS::Serverless::LayerVersion':
        case 'AWS::Lambda::LayerVersion':
          return physical.layerVersionArn(name);
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
        case 'AWS::DynamoDB::Table.StreamArn':
          return physical.tableStreamArn(resourceId);
        case 'AWS::SQS::Queue.Arn':
          return physical.queueArn(resourceId);
        case 'AWS::SQS::Queue.QueueName':
          return physical.queue(resourceId);
        case 'AWS::SQS::Queue.QueueUrl':
          return physical.queueUrl(resourceId);
        case 'AWS::Events::EventBus.Arn':
          return physical.eventBusArn(resourceId);
        case 'AWS::Events::EventBus.Name':
          return physical.eventBus(resourceId);
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
  return {
    templatePath: options.templatePath,
    region,
    accountId,
    globals: { Function: raw.Globals?.Function ?? {}, Api: raw.Globals?.Api ?? {} },
    physical,
    context,
    ofType: (type) => Object.entries(resources).filter(([, resource]) => resource.Type === type).filter(included),
    all: () => ({
      resources: Object.entries(resources).filter(included),
      globals: Object.fromEntries(Object.entries(raw.Globals ?? {}).filter((entry): entry is [string, Record<string, unknown>] => isObject(entry[1]))),
    }),
  };
}
