import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { toJSONSchema } from 'zod/mini';
import { ALL_STEPS, COMPENSATION_STEPS } from '#domain/order';
import { OrderRequestSchema } from '#domain/order-request';
import { ROOT, type CfnResource, definitionSubstitutions, functionFolder, loadTemplate, readAslText, resolvedDefinition, resourcesOfType } from '../support/template';

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string; Payload?: Record<string, string> };
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[]; MaxDelaySeconds?: number; JitterStrategy?: string; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Next?: string;
  End?: boolean;
}

const functions = resourcesOfType('AWS::Serverless::Function');
const asl = JSON.parse(readAslText()) as { States: Record<string, AslState>; TimeoutSeconds?: number; QueryLanguage?: string };
const taskStates = Object.entries(asl.States).filter(([, state]) => state.Type === 'Task');
/** Tasks whose last failure is left uncaught: the execution fails there and an operator's redrive reruns them. */
const STOPS_FOR_REDRIVE: readonly string[] = [...COMPENSATION_STEPS, 'Generate Receipt'];

/** `${XFunctionArn}` placeholder of a task state → the X function's logical id. */
function functionOf(state: AslState): string {
  const match = /^\$\{([A-Za-z]+)Arn\}$/.exec(state.Parameters?.FunctionName ?? '');
  if (!match?.[1]) throw new Error(`FunctionName is not a substitution: ${String(state.Parameters?.FunctionName)}`);
  return match[1];
}

describe('template.yaml ↔ statemachine contract', () => {
  it('has a DefinitionSubstitutions entry for every ${X} in the ASL, and no unused entry', () => {
    const placeholders = new Set([...readAslText().matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(definitionSubstitutions()).sort());
  });

  it('wires every task to the alias of a function in the template, and every task function to a task', () => {
    const substitutions = definitionSubstitutions();
    const invoked = taskStates.map(([, state]) => {
      const placeholder = `${functionOf(state)}Arn`;
      expect(substitutions[placeholder]).toEqual({ Ref: `${functionOf(state)}.Alias` });
      return functionOf(state);
    });
    // Task functions are the ones with no event source of their own (API routes, the orders stream),
    // apart from the WebSocket API's, which API Gateway v2 integrations invoke.
    const taskFunctions = functions.filter(([id, fn]) => fn.Properties?.Events === undefined && !['UpdatesAuthorizerFunction', 'OrderUpdatesFunction'].includes(id)).map(([id]) => id);
    expect(invoked.sort()).toEqual(taskFunctions.sort());
  });

  it('names the task states exactly as the order timeline does', () => {
    expect(taskStates.map(([name]) => name).sort()).toEqual([...ALL_STEPS].sort());
  });

  it('keeps the ASL in JSONPath with no variables, so the local engine runs it as AWS does', () => {
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(readAslText()).not.toMatch(/"Assign"|JSONata|waitForTaskToken/);
  });

  it('passes asl-validator with substitutions applied', () => {
    const requireFromHere = createRequire(__filename);
    const validate = requireFromHere('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };
    const result = validate(resolvedDefinition());
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('retries the transient errors on every task with capped, jittered backoff, and never retries a permanent one', () => {
    const transient = [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'ProviderUnavailable',
      'DependencyUnavailable',
    ];
    for (const [name, state] of taskStates) {
      const retried = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
      expect({ name, missing: transient.filter((error) => !retried.includes(error)) }).toEqual({ name, missing: [] });
      for (const retrier of state.Retry ?? []) {
        expect(retrier.JitterStrategy).toBe('FULL');
        expect(retrier.MaxDelaySeconds).toBeGreaterThan(0);
        expect(retrier.ErrorEquals).not.toEqual(expect.arrayContaining(['States.ALL']));
        for (const permanent of ['PaymentDeclined', 'AddressNotServiceable', 'CaptureDeclined', 'InvalidTaskInput', 'OrderStateConflict', 'ProviderMisconfigured', 'IdempotencyMismatch']) {
          expect(retrier.ErrorEquals).not.toContain(permanent);
        }
      }
      if (STOPS_FOR_REDRIVE.includes(name)) {
        // Its last failure must fail the execution at this Task, so that a redrive reruns it.
        expect({ name, catch: state.Catch }).toEqual({ name, catch: undefined });
      } else {
        expect(state.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
        expect(state.Catch?.every((catcher) => catcher.ResultPath?.startsWith('$.'))).toBe(true);
      }
    }
  });

  it('gives each task a timeout longer than its function timeout, so a timed-out Lambda is dead before the state gives up', () => {
    const template = loadTemplate();
    const globalTimeout = Number(template.Globals.Function.Timeout);
    for (const [name, state] of taskStates) {
      const fn = template.Resources[functionOf(state)] as CfnResource;
      const functionTimeout = Number(fn.Properties?.Timeout ?? globalTimeout);
      expect({ name, ok: (state.TimeoutSeconds ?? 0) > functionTimeout }).toEqual({ name, ok: true });
    }
    expect(asl.TimeoutSeconds).toBeGreaterThan(0);
  });

  it('ends every failure path in a Fail state, or at the Task (a compensation, or Generate Receipt) an operator redrives', () => {
    const terminals = Object.entries(asl.States).filter(([, state]) => state.End === true || ['Fail', 'Succeed'].includes(state.Type));
    expect(terminals.map(([name, state]) => `${name}:${state.Type}`).sort()).toEqual(
      ['Generate Receipt:Task', 'Order Failed:Fail', 'Payment Declined:Fail'].sort(),
    );
    const uncaught = taskStates.filter(([, state]) => state.Catch === undefined).map(([name]) => name);
    expect(uncaught.sort()).toEqual([...STOPS_FOR_REDRIVE].sort());
  });
});

describe('template.yaml: function deployments', () => {
  const API_FUNCTIONS = ['CreateOrderFunction', 'GetOrderFunction', 'GetReceiptFunction', 'ListProductsFunction', 'AdminOrdersFunction'];
  const alarmsOf = (properties: Record<string, unknown> | undefined) =>
    ((properties?.DeploymentPreference as { Alarms?: unknown } | undefined)?.Alarms ?? []) as unknown[];

  it('sets no alarms in Globals, which SAM would append to every function\'s own list', () => {
    const globals = (loadTemplate() as { Globals?: { Function?: Record<string, unknown> } }).Globals?.Function;
    expect(alarmsOf(globals)).toEqual([]);
  });

  const STREAM_FUNCTIONS: Record<string, unknown[]> = {
    PublishOrderChangesFunction: [{ Ref: 'PublishOrderChangesErrorsAlarm' }, { Ref: 'OrderChangesIteratorAgeAlarm' }],
  };

  it('rolls API functions back on the API alarms, task functions on their own alarm (API alarms there make a dependency cycle), stream functions on theirs', () => {
    for (const [id, fn] of functions) {
      // The authorizer's errors are refused tickets (401 is a thrown Unauthorized), so no alarm watches it.
      const realtime: Record<string, unknown[]> = { OrderUpdatesFunction: [{ Ref: 'ApiFunctionErrorsAlarm' }], UpdatesAuthorizerFunction: [] };
      const expected =
        STREAM_FUNCTIONS[id] ?? realtime[id] ?? (API_FUNCTIONS.includes(id) ? [{ Ref: 'ApiFunctionErrorsAlarm' }, { Ref: 'ApiServerErrorsAlarm' }] : [{ Ref: 'TaskFunctionErrorsAlarm' }]);
      expect({ id, alarms: alarmsOf(fn.Properties) }).toEqual({ id, alarms: expected });
    }
  });
});

describe('template.yaml: state machine versions', () => {
  const [entry] = resourcesOfType('AWS::Serverless::StateMachine');
  if (!entry) throw new Error('template.yaml has no state machine');
  const [machineId, machine] = entry;
  const createOrder = loadTemplate().Resources.CreateOrderFunction?.Properties ?? {};

  it('publishes versions behind a live alias: canary in prod, all at once in dev, rolled back by the failed-executions alarm', () => {
    expect(machine.Properties?.AutoPublishAlias).toBe('live');
    expect(machine.Properties?.DeploymentPreference).toMatchObject({
      Type: { 'Fn::If': ['IsProd', 'CANARY', 'ALL_AT_ONCE'] },
      Alarms: [{ Ref: 'ExecutionsFailedAlarm' }],
    });
    const alarm = loadTemplate().Resources.ExecutionsFailedAlarm;
    expect(JSON.stringify(alarm?.Properties)).toContain('"MetricName":"ExecutionsFailed"');
  });

  it('has CreateOrder start executions on the alias, and allows it nothing else', () => {
    const variables = (createOrder.Environment as { Variables: Record<string, unknown> }).Variables;
    // SAM names the alias resource <id>Alias<name>; its Ref is the alias ARN.
    expect(variables.STATE_MACHINE_ARN).toEqual({ Ref: `${machineId}Aliaslive` });
    const statements = (createOrder.Policies as { Statement?: { Action: unknown; Resource: unknown; Condition?: unknown }[] }[]).flatMap((policy) => policy.Statement ?? []);
    const starts = statements.filter((statement) => JSON.stringify(statement.Action).includes('states:'));
    expect(starts).toEqual([
      expect.objectContaining({
        Action: 'states:StartExecution',
        Resource: { Ref: machineId },
        Condition: { 'ForAnyValue:StringEquals': { 'states:StateMachineQualifier': ['live'] } },
      }),
    ]);
    expect(JSON.stringify(createOrder.Policies)).not.toContain('StepFunctionsExecutionPolicy');
  });
});

describe('template.yaml: the Stripe secret key', () => {
  const template = loadTemplate();

  it('lets only the three payment functions read it, only in a Stripe deployment, and only the named secret', () => {
    const policies = Object.entries(template.Resources).filter(([, resource]) => JSON.stringify(resource).includes('secretsmanager:GetSecretValue') && resource.Type === 'AWS::IAM::Policy');
    expect(policies.map(([id]) => id)).toEqual(['StripeSecretKeyReadPolicy']);
    const [, policy] = policies[0] ?? [];
    expect(policy?.Condition).toBe('UsesStripe');
    expect(template.Conditions?.UsesStripe).toEqual({ 'Fn::Equals': [{ Ref: 'PaymentProvider' }, 'stripe'] });
    const properties = policy?.Properties as { Roles: unknown[]; PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } };
    expect(properties.Roles).toEqual([{ Ref: 'AuthorizePaymentFunctionRole' }, { Ref: 'CapturePaymentFunctionRole' }, { Ref: 'VoidPaymentFunctionRole' }]);
    expect(properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: 'secretsmanager:GetSecretValue',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${StripeSecretKeySecretName}-??????' },
      }),
    ]);
  });

  it('gives the payment functions the secret name, never the key, and only in a Stripe deployment', () => {
    for (const id of ['AuthorizePaymentFunction', 'CapturePaymentFunction', 'VoidPaymentFunction']) {
      const variables = (template.Resources[id]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.STRIPE_SECRET_ID).toEqual({ 'Fn::If': ['UsesStripe', { Ref: 'StripeSecretKeySecretName' }, { Ref: 'AWS::NoValue' }] });
    }
  });
});

describe('template.yaml ↔ functions contract', () => {
  it.each(functions.map(([id, resource]) => [id, resource] as const))('%s has its entry file and an event fixture', (_id, resource) => {
    const folder = functionFolder(resource);
    expect(existsSync(join(ROOT, 'functions', folder, 'index.ts'))).toBe(true);
    expect(existsSync(join(ROOT, 'events', `${folder}.json`))).toBe(true);
    expect(resource.Properties?.Handler ?? loadTemplate().Globals.Function.Handler).toBe('index.handler');
    expect(resource.Metadata?.BuildMethod).toBe('esbuild');
  });

  it('gives every environment variable a handler reads to that function, via Globals or its own Environment', () => {
    const template = loadTemplate();
    const globals = Object.keys((template.Globals.Function.Environment as { Variables: Record<string, unknown> }).Variables);
    for (const [id, resource] of functions) {
      const own = Object.keys((resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
      const source = readFileSync(join(ROOT, 'functions', functionFolder(resource), 'index.ts'), 'utf8');
      const needed = [...source.matchAll(/requireEnv\('([A-Z_]+)'/g)].map((match) => match[1]);
      if (/paymentProviderFromEnv/.test(source)) needed.push('PAYMENT_PROVIDER', 'STRIPE_SECRET_ID', 'SIMULATOR_LEDGER_TABLE_NAME');
      if (/shippingProviderFromEnv/.test(source)) needed.push('SHIPPING_PROVIDER', 'SIMULATOR_LEDGER_TABLE_NAME');
      if (/stepDependenciesFromEnv/.test(source)) needed.push('ORDERS_TABLE_NAME');
      // The real-time adapters (adapters/realtime-from-env.ts) and the variables each reads.
      if (/updatesLinksFromEnv/.test(source)) needed.push('UPDATES_WEBSOCKET_URL', 'UPDATES_TICKET_SECRET_ARN', 'UPDATES_TICKET_TTL_SECONDS');
      if (/ticketKeyFromEnv/.test(source)) needed.push('UPDATES_TICKET_SECRET_ARN');
      if (/orderSubscriptionsFromEnv/.test(source)) needed.push('CONNECTIONS_TABLE_NAME');
      if (/connectionPushFromEnv/.test(source)) needed.push('WEBSOCKET_MANAGEMENT_ENDPOINT');
      if (/ordersBasePathFromEnv/.test(source)) needed.push('ORDERS_BASE_PATH');
      const missing = needed.filter((name) => name && !globals.includes(name) && !own.includes(name));
      expect({ id, missing }).toEqual({ id, missing: [] });
    }
  });
});

describe('API Gateway model ↔ zod schema contract', () => {
  interface JsonSchema {
    required?: string[];
    properties?: Record<string, JsonSchema>;
    items?: JsonSchema;
    additionalProperties?: boolean;
  }
  const api = resourcesOfType('AWS::Serverless::Api')[0]?.[1];
  const model = (api?.Properties?.Models as Record<string, JsonSchema>).OrderRequest as JsonSchema;
  const generated = toJSONSchema(OrderRequestSchema) as JsonSchema;

  /** Field names, required flags and closedness, recursively. */
  function shape(schema: JsonSchema | undefined): unknown {
    if (!schema) return null;
    if (schema.items) return { items: shape(schema.items) };
    if (!schema.properties) return 'leaf';
    return {
      closed: schema.additionalProperties === false,
      required: [...(schema.required ?? [])].sort(),
      properties: Object.fromEntries(
        Object.entries(schema.properties)
          .map(([key, value]): [string, unknown] => [key, shape(value)])
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
    };
  }

  it('guards the same fields, with the same required set, at API Gateway and in the function', () => {
    expect(shape(model)).toEqual(shape(generated));
  });
});
