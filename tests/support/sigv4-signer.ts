import { Hash } from '@smithy/hash-node';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalIamPrincipal } from '../../local/apigateway/iam-auth';
import { loadConfig } from '../../local/runtime';
import { ROOT } from './template';

/** The local principals of local/config.json `iamPrincipals`. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Signs a request for API Gateway (service execute-api) with @smithy/signature-v4, as the AWS SDKs
 * and the typed client do. Tests only: the client SDK (client/) replaces it. `signingDate` lets a
 * test sign in the past (expired signatures).
 */
export async function signRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  credentials: SigningCredentials,
  options: { region?: string; service?: string; signingDate?: Date } = {},
): Promise<SignedRequestInit> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: options.service ?? 'execute-api', region: options.region ?? 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
  const method = init.method ?? 'GET';
  const signed = await signer.sign(
    {
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { host: target.host, ...(init.headers ?? {}) },
      ...(init.body === undefined ? {} : { body: init.body }),
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  return { method, headers: signed.headers, ...(init.body === undefined ? {} : { body: init.body }) };
}

/** fetch with a SigV4-signed request. */
export async function signedFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }, credentials: SigningCredentials, options: Parameters<typeof signRequest>[3] = {}): Promise<Response> {
  return fetch(url, await signRequest(url, init, credentials, options));
}

/** A local IAM principal of local/config.json by name (`integrator`, `operator`): its keys and ARN. */
export function localPrincipal(name: string): LocalIamPrincipal {
  const found = loadConfig(join(ROOT, 'local', 'config.json')).iamPrincipals?.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`local/config.json has no IAM principal ${name}`);
  return found;
}
