import { resolve } from './intrinsics';
import { type LoadOptions, type RawResource, type TemplateSource, isObject, openTemplate } from './readers/template-source';

/*
 * What the local runtime runs of a template, and what it does not, decided once per resource type
 * in EMULATION_COVERAGE below. Everything in the template that no entry covers (a resource type, a
 * function's event source, a property of an emulated resource, a Globals section) is reported as
 * not emulated: the default is to say so, never to stay silent. A template that adds an
 * AWS::SQS::Queue and an SQS event therefore starts with two warnings, and `npm start -- --strict`
 * refuses it.
 *
 * Two lists come out: `notEmulated` (it could change what the application does: warned in the
 * banner, refused by --strict) and `ignored` (no local meaning, e.g. alarms or IAM: recorded in
 * runtime.json only, with the reason).
 *
 * To emulate a new type, add one entry: its `properties`, each `runs` (with how), `ignored` (with
 * why) or `notEmulated` (with a better reason than the default); when a helper adds SQS or EventBridge,
 * its entry replaced a `notEmulated` one. Properties nest (`properties` for an object or a list of objects, `each` for a map such as
 * GatewayResponses, `byType` for Type-tagged maps such as a function's Events). `accepts` limits a
 * property that runs to the values the runtime honours (e.g. a state machine's Type).
 *
 * Not here: the state machine's ASL. A Task whose Resource the runtime cannot run is refused at
 * start-up by StepFunctionsService.checkTasks (local/stepfunctions/stepfunctions-service.ts), with
 * or without --strict, since such an execution would call real AWS.
 */

/** One thing in the template, and why it is not run. */
export interface CoverageItem {
  /** Logical id, or `Globals.<Section>`. */
  resource: string;
  /** The resource's type (for Globals, the type the section applies to). */
  type: string;
  /** `resource` for the whole resource, else the property path (e.g. `Events.Queue (SQS)`, `LoggingConfig.ApplicationLogLevel`). */
  what: string;
  reason: string;
}

export interface CoverageReport {
  /** Not run locally, and could change what the application does. */
  notEmulated: CoverageItem[];
  /** No local meaning (deployment, monitoring, IAM), deliberately skipped. */
  ignored: CoverageItem[];
}

export type Coverage =
  /** The runtime honours it; the text says how. `accepts`: only these values run, others are reported with `otherwise`. */
  | { runs: string; accepts?: (value: unknown, template: TemplateSource) => boolean; otherwise?: string }
  | { ignored: string }
  /** Known and deliberately not run (yet), with a reason more useful than the default. */
  | { notEmulated: string }
  /** An object (or a list of objects) whose keys are checked one by one. */
  | { properties: Record<string, Coverage>; otherwise?: string }
  /** A map with keys of the user's choosing (e.g. response types), each value checked. */
  | { each: Coverage }
  /** A map of named items tagged by `Type` (e.g. Events): each Type's `Properties` are checked. */
  | { byType: Record<string, Record<string, Coverage>>; noun: string };

export type ResourceCoverage = { properties: Record<string, Coverage> } | { ignored: string } | { notEmulated: string };

const IAM = 'IAM is not enforced locally: every function can call every local service with the local credentials';
const XRAY = 'X-Ray is not emulated: the Tracer runs, nothing is sent';
const DEPLOYMENT = 'deploy-time only: locally the newest code serves every request at once';
const MONITORING = 'no CloudWatch metrics locally, so it never fires';
const DESCRIPTION = 'documentation only';

export const EMULATION_COVERAGE: Record<string, ResourceCoverage> = {
  'AWS::Serverless::Function': {
    properties: {
      CodeUri: { runs: 'esbuild bundles Metadata.BuildProperties.EntryPoints from here' },
      Handler: { runs: 'the export the execution environment calls' },
      Runtime: { runs: 'Node.js only; the major is checked against the running Node' },
      Architectures: { runs: 'reported by GetFunctionConfiguration; JavaScript runs on the host CPU' },
      MemorySize: { runs: 'heap limit of the execution environment and AWS_LAMBDA_FUNCTION_MEMORY_SIZE' },
      Timeout: { runs: 'invocations time out with Sandbox.Timedout' },
      Environment: { properties: { Variables: { runs: 'set in the execution environment' } } },
      ReservedConcurrentExecutions: { runs: 'caps the function\'s execution environments (0 throttles)' },
      AutoPublishAlias: { runs: 'the alias ARN (!Ref X.Alias) invokes the function' },
      Layers: {
        runs: 'the packages of the template\'s Node.js layers resolve from the function, and from no other (local/lambda/layers.ts)',
        accepts: (value, template) => {
          const local = new Set(template.ofType('AWS::Serverless::LayerVersion').map(([id]) => template.physical.layerVersionArn(id)));
          // '' is an entry whose !If chose AWS::NoValue.
          return Array.isArray(value) && value.every((arn) => arn === '' || local.has(String(arn)));
        },
        otherwise: 'only AWS::Serverless::LayerVersion resources of this template run locally: a published layer\'s content is not here, and its packages will not resolve',
      },
      DeploymentPreference: { ignored: DEPLOYMENT },
      Description: { ignored: DESCRIPTION },
      Tags: { ignored: DESCRIPTION },
      Tracing: { ignored: XRAY },
      Policies: { ignored: IAM },
      Role: { ignored: IAM },
      PermissionsBoundary: { ignored: IAM },
      LoggingConfig: {
        properties: {
          LogFormat: { ignored: 'logs are printed to the runtime\'s output as the function writes them' },
          LogGroup: { ignored: 'logs are printed to the runtime\'s output, not to a log group' },
          SystemLogLevel: { ignored: 'START, END and REPORT lines are printed whatever the level (npm run cost leaves them out of the log bytes at WARN)' },
        },
      },
      Events: {
        noun: 'event source',
        byType: {
          DynamoDB: {
            Stream: { runs: 'records from the streams front in dynalite\'s process (local/streams)' },
            StartingPosition: { runs: 'TRIM_HORIZON or LATEST' },
            BatchSize: { runs: 'records per invocation' },
            MaximumBatchingWindowInSeconds: { runs: 'how long a batch gathers' },
            BisectBatchOnFunctionError: { runs: 'a failed batch is halved until the poison record is alone' },
            MaximumRetryAttempts: { runs: 'then the batch goes to the on-failure destination' },
            MaximumRecordAgeInSeconds: { runs: 'older records go to the on-failure destination' },
            FunctionResponseTypes: { runs: 'ReportBatchItemFailures: retried from the first failed record' },
            DestinationConfig: { properties: { OnFailure: { properties: { Type: { runs: 'SQS' }, Destination: { runs: 'an SQS queue of the template gets Lambda\'s invocation record' } } } } },
            Enabled: { runs: 'a disabled mapping reads nothing' },
            FilterCriteria: { runs: 'records that match no filter are skipped' },
            ParallelizationFactor: { runs: 'one batch in flight per shard', accepts: (value) => value === undefined || Number(value) === 1, otherwise: 'only 1 batch per shard at a time runs locally' },
          },
          SQS: {
            Queue: { runs: 'polled from the runtime\'s SQS (local/sqs)' },
            BatchSize: { runs: 'messages per invocation' },
            MaximumBatchingWindowInSeconds: { runs: 'how long a batch gathers' },
            FunctionResponseTypes: { runs: 'ReportBatchItemFailures: only the failed messages return to the queue' },
            Enabled: { runs: 'a disabled mapping reads nothing' },
            FilterCriteria: { runs: 'messages that match no filter are deleted, as Lambda does' },
          },
          EventBridgeRule: {
            EventBusName: { runs: 'the bus the rule listens on' },
            Pattern: { runs: 'matched by the local EventBridge' },
            State: { runs: 'a DISABLED rule matches nothing' },
          },
          Api: {
            RestApiId: { runs: 'the AWS::Serverless::Api that serves the route' },
            Path: { runs: 'the route' },
            Method: { runs: 'the route' },
            Auth: {
              properties: {
                ApiKeyRequired: { runs: 'x-api-key checked against local/config.json' },
                Authorizer: {
                  runs: 'AWS_IAM: SigV4 verified with local/config.json credentials, execute-api:Invoke checked against the template\'s managed policies',
                  accepts: (value) => value === 'AWS_IAM',
                  otherwise: 'only AWS_IAM authorizers run locally',
                },
                InvokeRole: {
                  runs: 'NONE: the gateway invokes the function itself',
                  accepts: (value) => value === 'NONE',
                  otherwise: 'the caller\'s credentials are not used to invoke the function locally',
                },
              },
            },
            RequestModel: {
              properties: {
                Model: { runs: 'the body is validated against the API\'s model (ajv)' },
                Required: { runs: 'a missing body is refused' },
                ValidateBody: { runs: 'body validation on or off' },
                ValidateParameters: {
                  runs: 'off',
                  accepts: (value) => value === false,
                  otherwise: 'request parameters are not validated locally',
                },
              },
            },
          },
        },
      },
    },
  },
  'AWS::Serverless::Api': {
    properties: {
      StageName: { runs: 'the first path segment of the local URL' },
      Name: { ignored: 'the local API is named by its logical id; the name only labels it on AWS' },
      OpenApiVersion: { ignored: 'shapes the generated OpenAPI document, which the local gateway does not use' },
      TracingEnabled: { ignored: XRAY },
      Description: { ignored: DESCRIPTION },
      Tags: { ignored: DESCRIPTION },
      Models: { runs: 'request bodies are validated with ajv' },
      MethodSettings: {
        otherwise: 'only the stage-wide setting (ResourcePath /*, HttpMethod *) runs locally',
        properties: {
          ResourcePath: { runs: 'stage-wide', accepts: (value) => value === '/*', otherwise: 'per-resource method settings do not run locally' },
          HttpMethod: { runs: 'stage-wide', accepts: (value) => value === '*', otherwise: 'per-method settings do not run locally' },
          ThrottlingRateLimit: { runs: 'stage token bucket (429)' },
          ThrottlingBurstLimit: { runs: 'stage token bucket (429)' },
          MetricsEnabled: { ignored: MONITORING },
          DataTraceEnabled: { ignored: 'execution logs go to CloudWatch on AWS; the runtime prints each invocation' },
          LoggingLevel: { ignored: 'execution logs go to CloudWatch on AWS; the runtime prints each invocation' },
        },
      },
      Cors: {
        otherwise: 'only the object form of Cors runs locally',
        properties: {
          AllowMethods: { runs: 'preflight response' },
          AllowHeaders: { runs: 'preflight response' },
          AllowOrigin: { runs: 'preflight and gateway responses' },
          MaxAge: { runs: 'preflight response' },
        },
      },
      Auth: {
        properties: {
          ApiKeyRequired: { runs: 'x-api-key checked against local/config.json (403 Forbidden)' },
          AddApiKeyRequiredToCorsPreflight: { runs: 'whether OPTIONS needs a key' },
          UsagePlan: {
            properties: {
              CreateUsagePlan: { runs: 'one plan for the API\'s keys', accepts: (value) => value !== 'NONE', otherwise: 'a Throttle or Quota still applies locally' },
              UsagePlanName: { ignored: DESCRIPTION },
              Description: { ignored: DESCRIPTION },
              Throttle: { properties: { RateLimit: { runs: 'per-key token bucket (429)' }, BurstLimit: { runs: 'per-key token bucket (429)' } } },
              Quota: { properties: { Limit: { runs: 'per-key quota (429)' }, Period: { runs: 'per-key quota period' } } },
            },
          },
        },
      },
      GatewayResponses: {
        each: {
          properties: {
            StatusCode: { runs: 'the status of the gateway\'s own response' },
            ResponseParameters: { properties: { Headers: { runs: 'quoted literals only (a request mapping is refused at start-up)' } } },
            ResponseTemplates: { runs: 'the body, by content type' },
          },
        },
      },
    },
  },
  'AWS::Serverless::StateMachine': {
    properties: {
      Type: { runs: 'STANDARD, or EXPRESS semantics (docs/express-workflows.md)', accepts: (value) => value === 'STANDARD' || value === 'EXPRESS', otherwise: 'only STANDARD and EXPRESS run locally' },
      DefinitionUri: { runs: 'the ASL file, run by aws-local-stepfunctions' },
      DefinitionSubstitutions: { runs: 'applied to the ASL' },
      AutoPublishAlias: { runs: 'a version per distinct definition, behind the alias' },
      DeploymentPreference: { ignored: 'deploy-time only: locally the alias moves to the new version at once' },
      Tracing: { ignored: XRAY },
      Logging: { ignored: 'Standard: history is kept in the local journal (GetExecutionHistory); Express: the runtime keeps the logged events itself (console), not in CloudWatch' },
      Policies: { ignored: IAM },
      Role: { ignored: IAM },
      PermissionsBoundary: { ignored: IAM },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::DynamoDB::Table': {
    properties: {
      KeySchema: { runs: 'the dynalite table\'s keys' },
      StreamSpecification: { properties: { StreamViewType: { runs: 'records of every successful write, captured in front of dynalite (local/streams)' } } },
      GlobalSecondaryIndexes: { runs: 'created in dynalite, which serves Query on them' },
      TimeToLiveSpecification: { notEmulated: 'dynalite has no TTL: expired items stay until deleted' },
      AttributeDefinitions: { runs: 'the dynalite table\'s key types' },
      BillingMode: { ignored: 'capacity is not limited locally' },
      ProvisionedThroughput: { ignored: 'capacity is not limited locally' },
      PointInTimeRecoverySpecification: { ignored: 'backups have no local meaning; --fresh starts empty' },
      SSESpecification: { ignored: 'encryption at rest: local data is plain files under the state dir' },
      DeletionProtectionEnabled: { ignored: 'the local table is only deleted by --fresh' },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::S3::Bucket': {
    properties: {
      BucketEncryption: { ignored: 'encryption at rest: local objects are plain files under the state dir' },
      PublicAccessBlockConfiguration: { ignored: 's3rver has no public access and no ACLs; only the local credentials reach it' },
      OwnershipControls: { ignored: 's3rver has no ACLs' },
      VersioningConfiguration: { notEmulated: 's3rver keeps one version of each key: an overwrite replaces it, and version ids are not available' },
      LifecycleConfiguration: { ignored: 'expiry runs over days on AWS; local objects stay until --fresh' },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::Serverless::LayerVersion': {
    properties: {
      ContentUri: { runs: 'its package.json\'s dependencies, checked against the project\'s node_modules (npm ci), resolve from the functions that list the layer' },
      CompatibleRuntimes: { ignored: 'Lambda does not check it when a function lists the layer either' },
      CompatibleArchitectures: { ignored: 'Lambda does not check it when a function lists the layer either; JavaScript runs on the host CPU' },
      RetentionPolicy: { ignored: 'deploy-time only: which old versions CloudFormation keeps' },
      LayerName: { ignored: 'the local layer is named by its logical id' },
      LicenseInfo: { ignored: DESCRIPTION },
      Description: { ignored: DESCRIPTION },
    },
  },
  'AWS::SNS::Topic': { notEmulated: 'no local SNS: nothing published to the topic is delivered, and a function\'s Publish fails' },
  'AWS::Events::EventBus': {
    properties: {
      Name: { runs: 'the bus PutEvents names (local/eventbridge)' },
      Description: { ignored: DESCRIPTION },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::Events::Rule': {
    properties: {
      EventBusName: { runs: 'the bus the rule listens on' },
      EventPattern: { runs: 'matched by the local EventBridge (local/eventbridge/event-pattern.ts)' },
      State: { runs: 'a DISABLED rule matches nothing' },
      Description: { ignored: DESCRIPTION },
      Name: { ignored: 'the local rule is named by its logical id' },
      Targets: {
        properties: {
          Id: { runs: 'names the target in the log' },
          Arn: {
            runs: 'Lambda (async invoke with the event envelope) and SQS (the event as the body) targets',
            accepts: (value) => typeof value === 'string' && /^arn:aws[a-z-]*:(lambda|sqs):/.test(value),
            otherwise: 'only Lambda and SQS targets run locally: matching events are logged and archived, not delivered here',
          },
          Input: { runs: 'sent in place of the event' },
          InputPath: { runs: 'the part of the event sent' },
          RoleArn: { ignored: IAM },
        },
      },
    },
  },
  'AWS::Events::Archive': {
    properties: {
      SourceArn: { runs: 'the bus archived, under the state dir' },
      EventPattern: { runs: 'only matching events are archived' },
      RetentionDays: { runs: 'a replay skips archived events older than it' },
      ArchiveName: { ignored: 'the local archive is named by its logical id' },
      Description: { ignored: DESCRIPTION },
    },
  },
  'AWS::EventSchemas::Registry': { ignored: 'a schema registry serves code bindings to consumers; nothing at run time reads it (tests validate events against events/schemas)' },
  'AWS::EventSchemas::Schema': { ignored: 'a schema registry serves code bindings to consumers; nothing at run time reads it (tests validate events against events/schemas)' },
  'AWS::SQS::Queue': {
    properties: {
      QueueName: { runs: 'the local queue\'s name and URL' },
      VisibilityTimeout: { runs: 'received messages are hidden this long' },
      MessageRetentionPeriod: { runs: 'older messages are dropped' },
      RedrivePolicy: { runs: 'after maxReceiveCount receives a message moves to the dead-letter queue' },
      FifoQueue: { runs: 'a standard queue', accepts: (value) => value !== true && value !== 'true', otherwise: 'FIFO ordering and deduplication are not emulated' },
      SqsManagedSseEnabled: { ignored: 'encryption at rest: local messages are plain files under the state dir' },
      KmsMasterKeyId: { ignored: 'encryption at rest: local messages are plain files under the state dir' },
      KmsDataKeyReusePeriodSeconds: { ignored: 'encryption at rest: local messages are plain files under the state dir' },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::SQS::QueuePolicy': { ignored: IAM },
  'AWS::ApiGatewayV2::Api': {
    properties: {
      ProtocolType: { runs: 'WebSocket APIs (local/websocket)', accepts: (value) => value === 'WEBSOCKET', otherwise: 'only WEBSOCKET APIs of API Gateway v2 run locally' },
      RouteSelectionExpression: { runs: 'picks the route of each message' },
      Name: { ignored: 'the local API is named by its logical id; the name only labels it on AWS' },
      Description: { ignored: DESCRIPTION },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::ApiGatewayV2::Route': {
    properties: {
      ApiId: { runs: 'the API the route belongs to' },
      RouteKey: { runs: '$connect, $disconnect, $default and custom route keys' },
      AuthorizationType: { runs: 'CUSTOM runs the REQUEST authorizer at $connect; NONE' },
      AuthorizerId: { runs: 'the authorizer of $connect' },
      Target: { runs: 'integrations/<an AWS_PROXY Lambda integration>' },
      OperationName: { ignored: DESCRIPTION },
    },
  },
  'AWS::ApiGatewayV2::Integration': {
    properties: {
      ApiId: { runs: 'the API the integration belongs to' },
      IntegrationType: { runs: 'AWS_PROXY (Lambda)' },
      IntegrationUri: { runs: 'the function invoked, with API Gateway\'s WebSocket event' },
      Description: { ignored: DESCRIPTION },
    },
  },
  'AWS::ApiGatewayV2::Authorizer': {
    properties: {
      ApiId: { runs: 'the API the authorizer belongs to' },
      Name: { runs: 'names the authorizer in the log' },
      AuthorizerType: { runs: 'REQUEST' },
      IdentitySource: { runs: 'a connection without them is refused with 401 before the function runs' },
      AuthorizerUri: { runs: 'the authorizer function; Deny refuses the upgrade with 403' },
    },
  },
  'AWS::ApiGatewayV2::Deployment': { ignored: DEPLOYMENT },
  'AWS::ApiGatewayV2::Stage': {
    properties: {
      ApiId: { runs: 'the API served' },
      StageName: { runs: 'the path of the local WebSocket URL and of @connections' },
      DeploymentId: { ignored: DEPLOYMENT },
      DefaultRouteSettings: {
        properties: {
          ThrottlingRateLimit: { runs: 'a token bucket over the API\'s messages' },
          ThrottlingBurstLimit: { runs: 'a token bucket over the API\'s messages' },
          DataTraceEnabled: { ignored: 'execution logs go to CloudWatch on AWS; the runtime prints each invocation' },
          DetailedMetricsEnabled: { ignored: MONITORING },
        },
      },
      AccessLogSettings: { ignored: 'access logs go to CloudWatch on AWS; the runtime prints each connection and message' },
      Description: { ignored: DESCRIPTION },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::SecretsManager::Secret': {
    properties: {
      Name: { runs: 'the local secret\'s name' },
      Description: { runs: 'DescribeSecret' },
      GenerateSecretString: { runs: 'a value generated once with its options, kept in the state dir' },
      SecretString: { runs: 'the value GetSecretValue returns' },
      KmsKeyId: { ignored: 'encryption at rest: local secrets are a plain file under the state dir' },
      Tags: { ignored: DESCRIPTION },
    },
  },
  'AWS::S3::BucketPolicy': { ignored: IAM },
  'AWS::SNS::TopicPolicy': { ignored: IAM },
  'AWS::Lambda::Permission': { ignored: IAM },
  'AWS::IAM::Role': { ignored: IAM },
  'AWS::IAM::Policy': { ignored: IAM },
  'AWS::IAM::ManagedPolicy': {
    properties: {
      // Local principals (local/config.json) name the managed policies they hold; the local gateway
      // allows an AWS_IAM route when one of their execute-api:Invoke statements matches its ARN.
      PolicyDocument: { runs: 'its execute-api:Invoke Allow statements authorize the local principals that hold it (local/config.json)' },
      Description: { ignored: DESCRIPTION },
    },
  },
  'AWS::CloudWatch::Alarm': { ignored: MONITORING },
  'AWS::CloudWatch::CompositeAlarm': { ignored: MONITORING },
  'AWS::CloudWatch::Dashboard': { ignored: 'no CloudWatch metrics locally' },
  'AWS::Logs::LogGroup': { ignored: 'logs are printed to the runtime\'s output' },
  'AWS::Logs::MetricFilter': { ignored: 'no CloudWatch Logs or metrics locally' },
  'AWS::SNS::Subscription': { ignored: 'delivered by its topic, which is reported on its own' },
};

/** Which resource type each Globals section applies to. */
const GLOBALS: Record<string, string> = { Function: 'AWS::Serverless::Function', Api: 'AWS::Serverless::Api' };

const DEFAULT_REASON = {
  resource: 'the local runtime has no emulation for this resource type: it is not created, and nothing it would do happens',
  property: 'the local runtime does not apply this property',
  item: (noun: string, type: string) => `the local runtime does not run ${type} ${noun}s: nothing is triggered by it`,
};

/** Resolves a value for `accepts`, and carries the template an `accepts` may look things up in. */
type Evaluate = ((value: unknown) => unknown) & { source: TemplateSource };

interface Finding {
  what: string;
  reason: string;
  ignored: boolean;
}

/** Checks one property value against its coverage, returning what is not run or ignored. */
function checkValue(path: string, value: unknown, coverage: Coverage, evaluate: Evaluate): Finding[] {
  if ('ignored' in coverage) return [{ what: path, reason: coverage.ignored, ignored: true }];
  if ('notEmulated' in coverage) return [{ what: path, reason: coverage.notEmulated, ignored: false }];
  if ('runs' in coverage) {
    if (!coverage.accepts || coverage.accepts(evaluate(value), evaluate.source)) return [];
    return [{ what: path, reason: coverage.otherwise ?? DEFAULT_REASON.property, ignored: false }];
  }
  if ('properties' in coverage) {
    const items = Array.isArray(value) ? value.map((item, index) => [`${path}[${String(index)}]`, item] as const) : [[path, value] as const];
    return items.flatMap(([itemPath, item]) =>
      isObject(item) ? checkProperties(itemPath, item, coverage.properties, evaluate) : [{ what: itemPath, reason: coverage.otherwise ?? DEFAULT_REASON.property, ignored: false }],
    );
  }
  if (!isObject(value)) return [{ what: path, reason: DEFAULT_REASON.property, ignored: false }];
  if ('each' in coverage) return Object.entries(value).flatMap(([key, item]) => checkValue(`${path}.${key}`, item, coverage.each, evaluate));
  return Object.entries(value).flatMap(([name, item]) => {
    const type = isObject(item) ? String(item.Type) : 'unknown';
    const itemPath = `${path}.${name} (${type})`;
    const properties = coverage.byType[type];
    if (!properties) return [{ what: itemPath, reason: DEFAULT_REASON.item(coverage.noun, type), ignored: false }];
    const props = isObject(item) && isObject(item.Properties) ? item.Properties : {};
    return checkProperties(itemPath, props, properties, evaluate);
  });
}

function checkProperties(path: string, props: Record<string, unknown>, coverage: Record<string, Coverage>, evaluate: Evaluate): Finding[] {
  return Object.entries(props).flatMap(([key, value]) => {
    const childPath = path ? `${path}.${key}` : key;
    const child = coverage[key];
    return child ? checkValue(childPath, value, child, evaluate) : [{ what: childPath, reason: DEFAULT_REASON.property, ignored: false }];
  });
}

/**
 * What of the template the runtime does not run. Each resource whose Condition holds is checked,
 * and each Globals section as written (not once per function it applies to).
 */
export function assessCoverage(source: TemplateSource, registry: Record<string, ResourceCoverage> = EMULATION_COVERAGE): CoverageReport {
  const report: CoverageReport = { notEmulated: [], ignored: [] };
  // Only values that `accepts` inspects are resolved (e.g. a Type given with !If); one that cannot be is judged as written.
  const evaluate: Evaluate = Object.assign(
    (value: unknown): unknown => {
      try {
        return resolve(value, source.context);
      } catch {
        return value;
      }
    },
    { source },
  );
  const add = (resource: string, type: string, findings: Finding[]) => {
    for (const { what, reason, ignored } of findings) (ignored ? report.ignored : report.notEmulated).push({ resource, type, what, reason });
  };
  const { resources, globals } = source.all();
  for (const [section, props] of Object.entries(globals)) {
    const type = GLOBALS[section];
    const coverage = type ? registry[type] : undefined;
    const resource = `Globals.${section}`;
    if (!type || !coverage) add(resource, type ?? section, [{ what: 'resource', reason: 'the local runtime does not apply this Globals section', ignored: false }]);
    else if (!('properties' in coverage)) add(resource, type, [wholeResource(coverage)]);
    else add(resource, type, checkProperties('', props, coverage.properties, evaluate));
  }
  for (const [logicalId, resource] of resources) add(logicalId, resource.Type, checkResource(resource, registry, evaluate));
  return report;
}

function wholeResource(coverage: { ignored: string } | { notEmulated: string }): Finding {
  return 'ignored' in coverage ? { what: 'resource', reason: coverage.ignored, ignored: true } : { what: 'resource', reason: coverage.notEmulated, ignored: false };
}

function checkResource(resource: RawResource, registry: Record<string, ResourceCoverage>, evaluate: Evaluate): Finding[] {
  const coverage = registry[resource.Type];
  if (!coverage) return [{ what: 'resource', reason: DEFAULT_REASON.resource, ignored: false }];
  if (!('properties' in coverage)) return [wholeResource(coverage)];
  return checkProperties('', resource.Properties ?? {}, coverage.properties, evaluate);
}

/** Opens the template and assesses it (parameters and conditions as the runtime resolves them). */
export function templateCoverage(options: LoadOptions, registry?: Record<string, ResourceCoverage>): CoverageReport {
  return assessCoverage(openTemplate(options), registry);
}

/** One line per item, as the banner warns and --strict refuses. */
export function describeItem(item: CoverageItem): string {
  return `${item.resource} (${item.type})${item.what === 'resource' ? '' : ` ${item.what}`}: ${item.reason}`;
}

/** --strict: refuses a template with anything not emulated, listing it all. */
export function assertFullyEmulated(report: CoverageReport): void {
  if (report.notEmulated.length === 0) return;
  throw new Error(
    `--strict: the template uses ${String(report.notEmulated.length)} thing(s) the local runtime does not emulate:\n` +
      report.notEmulated.map((item) => `  - ${describeItem(item)}`).join('\n') +
      '\nRemove them, run without --strict (they are then warnings), or add their emulation (local/template/emulation-coverage.ts).',
  );
}
