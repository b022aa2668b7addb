import { join } from 'node:path';
import { type ResolutionContext, TemplateError, resolve } from '../../../local/template/intrinsics';
import { loadLocalTemplate } from '../../../local/template/local-template';
import { ROOT } from '../../support/template';

const context: ResolutionContext = {
  ref: (name) => ({ Stage: 'dev', 'AWS::Region': 'eu-west-1', Table: 'local-Table' })[name] ?? `ref:${name}`,
  getAtt: (resource, attribute) => `${resource}.${attribute}`,
  condition: (name) => name === 'IsProd',
};

describe('CloudFormation intrinsics', () => {
  it('resolves Ref, GetAtt in both forms, and Sub with pseudo parameters, attributes, variables and escapes', () => {
    expect(resolve({ Ref: 'Stage' }, context)).toBe('dev');
    expect(resolve({ 'Fn::GetAtt': ['Table', 'Arn'] }, context)).toBe('Table.Arn');
    expect(resolve({ 'Fn::GetAtt': 'Table.Arn' }, context)).toBe('Table.Arn');
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Region}:${Table.Arn}/${Stage}/${!Literal}' }, context)).toBe('arn:eu-west-1:Table.Arn/dev/${Literal}');
    expect(resolve({ 'Fn::Sub': ['${Name}-${Stage}', { Name: { Ref: 'Table' } }] }, context)).toBe('local-Table-dev');
  });

  it('evaluates conditions and list functions', () => {
    expect(resolve({ 'Fn::If': ['IsProd', 'canary', 'all'] }, context)).toBe('canary');
    expect(resolve({ 'Fn::If': ['IsDev', 'canary', 'all'] }, context)).toBe('all');
    expect(resolve({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] }] }, context)).toBe(true);
    expect(resolve({ 'Fn::Join': ['-', ['a', { Ref: 'Stage' }]] }, context)).toBe('a-dev');
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] }, context)).toBe('y');
  });

  it('refuses an intrinsic it does not know instead of passing it through', () => {
    expect(() => resolve({ 'Fn::ImportValue': 'shared' }, context)).toThrow(TemplateError);
  });
});

describe('loadLocalTemplate on template.yaml', () => {
  const template = loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') });

  it('finds every function with its entry point, timeout, memory and resolved environment', () => {
    expect(template.functions).toHaveLength(14);
    const create = template.functions.find((fn) => fn.logicalId === 'CreateOrderFunction');
    expect(create).toMatchObject({ entryPoint: 'functions/create-order/index.ts', timeoutSeconds: 28, memoryMb: 256, runtime: 'nodejs24.x' });
    expect(create?.environment).toMatchObject({
      ORDERS_TABLE_NAME: 'local-OrdersTable',
      // The live alias, so executions keep the version they started on.
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:OrderProcessingStateMachine:live',
      POWERTOOLS_SERVICE_NAME: 'order-processing',
    });
    expect(create?.routes).toEqual([
      { apiLogicalId: 'OrdersApi', method: 'POST', path: '/orders', apiKeyRequired: true, model: { name: 'OrderRequest', required: true, validateBody: true } },
      { apiLogicalId: 'OrdersApi', method: 'POST', path: '/integrations/orders', apiKeyRequired: false, iam: true, model: { name: 'OrderRequest', required: true, validateBody: true } },
    ]);
  });

  it('applies DefinitionSubstitutions, leaving no placeholder in the ASL', () => {
    const [machine] = template.stateMachines;
    const text = JSON.stringify(machine?.definition);
    expect(text).not.toContain('${');
    expect(text).toContain('arn:aws:lambda:us-east-1:000000000000:function:AuthorizePaymentFunction:live');
    expect(text).toContain('arn:aws:states:::lambda:invoke');
  });

  it("resolves the state machine alias SAM generates (<id>Alias<name>) to the alias ARN, and keeps the alias for versioning", () => {
    const [machine] = template.stateMachines;
    expect(machine?.alias).toBe('live');
    const create = template.functions.find((fn) => fn.logicalId === 'CreateOrderFunction');
    expect(create?.environment.STATE_MACHINE_ARN).toBe(`${String(machine?.arn)}:live`);
  });

  it('reads the API stage, CORS, usage plan and stage throttle from the parameters', () => {
    expect(template.apis[0]).toMatchObject({
      stageName: 'dev',
      apiKeyRequired: true,
      corsPreflightNeedsKey: false,
      usagePlan: { rateLimit: 50, burstLimit: 100, quota: { limit: 100000, period: 'DAY' } },
      stageThrottle: { rateLimit: 50, burstLimit: 100 },
    });
    expect(template.tables.map((table) => table.name).sort()).toEqual(['local-ConnectionsTable', 'local-OrdersTable', 'local-SimulatorLedgerTable']);
    expect(template.buckets).toEqual([{ logicalId: 'ReceiptsBucket', name: 'local-receiptsbucket' }]);
  });
});
