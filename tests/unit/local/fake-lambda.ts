import type { InvokeResult, LambdaInvoker } from '../../../local/lambda/lambda-service';
import type { LocalFunction } from '../../../local/template/local-template';

/** A LocalFunction description for tests. */
export function localFunction(logicalId: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return {
    logicalId,
    name: logicalId,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`,
    aliasArn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}:live`,
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    entryPoint: `functions/${logicalId}/index.ts`,
    buildProperties: {},
    timeoutSeconds: 3,
    memoryMb: 128,
    architecture: 'arm64',
    environment: {},
    routes: [],
    layers: [],
    ...overrides,
  };
}

type Behaviour = (event: unknown) => Promise<InvokeResult> | InvokeResult;

/** A Lambda service whose functions are plain callbacks; records every call. */
export class FakeLambda implements LambdaInvoker {
  readonly calls: { name: string; event: unknown }[] = [];
  constructor(private readonly functions: Record<string, { fn: LocalFunction; behaviour: Behaviour }>) {}

  find(nameOrArn: string): LocalFunction | undefined {
    return Object.values(this.functions).find(({ fn }) => [fn.logicalId, fn.arn, fn.aliasArn].includes(nameOrArn))?.fn;
  }

  async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.find(nameOrArn);
    if (!fn) throw new Error(`no fake for ${nameOrArn}`);
    this.calls.push({ name: fn.logicalId, event });
    const entry = this.functions[fn.logicalId];
    if (!entry) throw new Error(`no behaviour for ${fn.logicalId}`);
    return entry.behaviour(event);
  }
}

export const ok = (payload: unknown): InvokeResult => ({ ok: true, payload, requestId: 'req' });
export const failure = (errorType: string, errorMessage = errorType): InvokeResult => ({
  ok: false,
  requestId: 'req',
  error: { errorType, errorMessage, trace: [] },
});
