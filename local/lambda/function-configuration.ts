import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { LocalFunction } from '../template/local-template';

/** Lambda's FunctionConfiguration (API 2015-03-31), the fields `aws lambda get-function` prints. */
export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  CodeSha256: string;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  Version: string;
  Environment: { Variables: Record<string, string> };
  PackageType: 'Zip';
  Architectures: string[];
  EphemeralStorage: { Size: number };
  State: 'Active';
  LastUpdateStatus: 'Successful';
}

/**
 * A served function's configuration. Size, hash and modification time are the built bundle's
 * (Lambda reports the deployment package's). The variables are the ones the template declares,
 * with the values this runtime gives them, as Lambda lists only configured variables. Nothing
 * enforces IAM locally, so Role names the execution role SAM would create (`<Function>Role`).
 */
export function functionConfiguration(fn: LocalFunction, environment: Record<string, string>, bundlePath: string | undefined): FunctionConfiguration {
  const bundle = bundlePath ? readFileSync(bundlePath) : Buffer.alloc(0);
  const modified = bundlePath ? statSync(bundlePath).mtime : new Date(0);
  const account = fn.arn.split(':')[4] ?? '000000000000';
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: `arn:aws:iam::${account}:role/${fn.logicalId}Role`,
    Handler: fn.handler,
    CodeSize: bundle.length,
    CodeSha256: createHash('sha256').update(bundle).digest('base64'),
    Description: '',
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    // Lambda's own timestamp format: milliseconds and a +0000 offset.
    LastModified: modified.toISOString().replace('Z', '+0000'),
    Version: '$LATEST',
    Environment: { Variables: Object.fromEntries(Object.keys(fn.environment).map((key) => [key, environment[key] ?? ''])) },
    PackageType: 'Zip',
    Architectures: [fn.architecture],
    EphemeralStorage: { Size: 512 },
    State: 'Active',
    LastUpdateStatus: 'Successful',
  };
}
