import type { LocalFunction } from '../../local/template/local-template';

/** A template function as the local runtime reads it, for driving LambdaService with hand-written handlers. */
export function localFunction(name: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return {
    logicalId: name,
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    entryPoint: '',
    buildProperties: {},
    timeoutSeconds: 10,
    memoryMb: 64,
    architecture: 'arm64',
    environment: {},
    routes: [],
    layers: [],
    ...overrides,
  };
}
