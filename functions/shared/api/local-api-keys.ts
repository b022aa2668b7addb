import { ConfigurationError } from '#platform/config';
import { nodeCrypto } from '#platform/node-crypto';

/**
 * API keys for `sam local start-api`, which does not emulate API Gateway's keys: its events carry
 * no `requestContext.identity.apiKeyId`. LOCAL_API_KEYS lists the local runtime's keys as
 * `id=value` pairs, e.g. `localkey0001=local-storefront-key-0000000000000001,localkey0002=...`,
 * so an order placed under sam local has the same owner as under `npm start`.
 */
export interface LocalApiKeys {
  /** The id of the key whose value is `presented`, or undefined for a missing or unknown key. */
  identify(presented: string | undefined): string | undefined;
  readonly size: number;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,128}$/;
const KEY_VALUE = /^[\x21-\x7e]{1,512}$/;

/** Parses LOCAL_API_KEYS; throws a ConfigurationError naming the bad entry, so a typo fails at init, not as a 403. */
export function parseLocalApiKeys(raw: string): LocalApiKeys {
  const { timingSafeEqual } = nodeCrypto();
  const keys: { id: string; digest: Buffer }[] = [];
  for (const entry of raw.split(',')) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    const separator = trimmed.indexOf('=');
    const id = separator > 0 ? trimmed.slice(0, separator) : '';
    const value = separator > 0 ? trimmed.slice(separator + 1) : '';
    if (!KEY_ID.test(id) || !KEY_VALUE.test(value)) {
      throw new ConfigurationError(`LOCAL_API_KEYS must be comma-separated id=value pairs; cannot read entry ${String(keys.length + 1)}`);
    }
    const digest = sha256(value);
    if (keys.some((key) => key.id === id || timingSafeEqual(key.digest, digest))) {
      throw new ConfigurationError(`LOCAL_API_KEYS lists the id or the value of key ${id} twice`);
    }
    keys.push({ id, digest });
  }
  return {
    size: keys.length,
    identify(presented) {
      if (presented === undefined || presented === '') return undefined;
      // Equal-length digests make timingSafeEqual usable, and every key is compared so the
      // time taken does not reveal which one (or whether any) matched.
      const digest = sha256(presented);
      let match: string | undefined;
      for (const key of keys) {
        if (timingSafeEqual(key.digest, digest) && match === undefined) match = key.id;
      }
      return match;
    },
  };
}

/**
 * The keys to accept, read from the environment: only under `sam local` (AWS_SAM_LOCAL=true,
 * which SAM CLI sets and AWS never does). On AWS this is undefined and LOCAL_API_KEYS is ignored,
 * so identity comes from API Gateway alone.
 */
export function samLocalApiKeys(env: NodeJS.ProcessEnv): LocalApiKeys | undefined {
  if (env.AWS_SAM_LOCAL !== 'true') return undefined;
  return parseLocalApiKeys(env.LOCAL_API_KEYS ?? '');
}

function sha256(value: string): Buffer {
  return nodeCrypto().createHash('sha256').update(value, 'utf8').digest();
}
