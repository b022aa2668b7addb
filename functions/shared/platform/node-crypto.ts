import type * as NodeCrypto from 'node:crypto';

/**
 * node:crypto, loaded on its first use instead of at init. Loading it costs about 3 ms of a cold
 * start, so a module that hashes only on some paths (the sam local API key and SigV4 checks, which
 * never run on AWS) takes it from here rather than importing it. Functions that call AWS load it
 * at init anyway, through the SDK's signer.
 */
export function nodeCrypto(): typeof NodeCrypto {
  return process.getBuiltinModule('node:crypto');
}
