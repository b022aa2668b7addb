import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from './tracing';

/** How long a secret value is reused before Secrets Manager is asked again (bounded, so a rotation is seen within this). */
export const SECRET_MAX_AGE_SECONDS = 300;

/*
 * Apart from aws-clients.ts so that only the functions that read secrets bundle the Secrets Manager
 * client and the Parameters utility. The endpoint comes from AWS_ENDPOINT_URL_SECRETS_MANAGER when set.
 */
let provider: SecretsProvider | undefined;

/**
 * A function that reads a string secret by ARN or name through the Powertools Parameters utility,
 * cached per execution environment for SECRET_MAX_AGE_SECONDS. The value is never logged.
 */
export function cachedSecret(secretId: string): () => Promise<string> {
  return async () => {
    provider ??= new SecretsProvider({ awsSdkV3Client: traced(new SecretsManagerClient({})) });
    const value = await provider.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
    if (typeof value !== 'string' || value.length === 0) throw new Error(`Secret ${secretId} has no string value`);
    return value;
  };
}
