import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RequestSigner } from './transport';

/** Fixed credentials or a provider of them, as SignatureV4 takes them. */
export type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export interface Sigv4SignerOptions {
  /** The API's region, e.g. us-east-1. */
  region: string;
  /** Fixed credentials or a provider; the default provider chain (env, SSO, profile, IMDS/ECS…) when omitted. */
  credentials?: Credentials;
  /** execute-api, as API Gateway's IAM auth expects. */
  service?: string;
}

/**
 * A signer for OrdersClient's IAM routes: AWS Signature Version 4 over the method, path, query,
 * host and body hash, as API Gateway verifies it. A separate entry point, so API-key users
 * (browsers) never load the credential providers.
 */
export function sigv4Signer(options: Sigv4SignerOptions): RequestSigner {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    sha256: Sha256,
  });
  return async ({ method, url, headers, body }) => {
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      // host is signed; fetch sends the same value itself and refuses to be given it.
      headers: { ...headers, host: url.host },
      body,
    });
    const { host: _host, ...send } = signed.headers;
    return send;
  };
}
