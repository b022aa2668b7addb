import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { foreignOrigin, hasAwsCredentials } from '../request-gate';
import type { LocalSecret, SecretGenerator } from '../template/local-template';

/*
 * The template's AWS::SecretsManager::Secret resources, served on the Secrets Manager API (AWS JSON
 * 1.1, `X-Amz-Target: secretsmanager.<Operation>`) for the unchanged SDK through
 * AWS_ENDPOINT_URL_SECRETS_MANAGER: GetSecretValue and DescribeSecret, by name or ARN. A generated
 * secret gets its random value once, like CloudFormation, and keeps it in the state directory, so
 * it survives restarts (and --fresh, which empties the data directory, makes a new one).
 */

/** Secrets Manager's punctuation set for generated passwords. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

class SecretsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** A random password as GetRandomPassword makes it: from the included character types, with one of each when required. */
export function generatePassword(spec: SecretGenerator): string {
  const excluded = new Set(Array.from(spec.excludeCharacters));
  const keep = (chars: string) => Array.from(chars).filter((char) => !excluded.has(char)).join('');
  const types = [
    spec.excludeUppercase ? '' : keep(UPPER),
    spec.excludeLowercase ? '' : keep(LOWER),
    spec.excludeNumbers ? '' : keep(DIGITS),
    spec.excludePunctuation ? '' : keep(PUNCTUATION),
    spec.includeSpace ? keep(' ') : '',
  ].filter((chars) => chars.length > 0);
  const alphabet = types.join('');
  if (!Number.isInteger(spec.passwordLength) || spec.passwordLength < 1 || spec.passwordLength > 4096) {
    throw new SecretsError('InvalidParameterException', 'PasswordLength must be 1-4096');
  }
  if (alphabet.length === 0) throw new SecretsError('InvalidParameterException', 'The exclusions leave no characters to choose from');
  const pick = (chars: string) => chars[randomInt(chars.length)] ?? '';
  const chars = Array.from({ length: spec.passwordLength }, () => pick(alphabet));
  if (spec.requireEachIncludedType && types.length <= spec.passwordLength) {
    // Put one of each type at distinct random positions.
    const positions = new Set<number>();
    while (positions.size < types.length) positions.add(randomInt(spec.passwordLength));
    [...positions].forEach((position, index) => {
      chars[position] = pick(types[index] ?? alphabet);
    });
  }
  return chars.join('');
}

/** The value a generated secret gets: the password, or the template's JSON with the password under GenerateStringKey. */
export function generateSecretValue(spec: SecretGenerator): string {
  const password = generatePassword(spec);
  if (!spec.template) return password;
  const parsed: unknown = JSON.parse(spec.template.json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SecretsError('InvalidParameterException', 'SecretStringTemplate must be a JSON object');
  return JSON.stringify({ ...parsed, [spec.template.key]: password });
}

interface StoredValue {
  value: string;
  versionId: string;
  createdDate: number;
}

/** The local Secrets Manager: the template's secrets, generated values kept in `stateFile`. */
export class LocalSecretsManager {
  private readonly values = new Map<string, StoredValue>();

  constructor(
    private readonly secrets: readonly LocalSecret[],
    stateFile: string,
    now: () => Date = () => new Date(),
  ) {
    const stored = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, StoredValue>) : {};
    let changed = false;
    for (const secret of secrets) {
      const kept = stored[secret.arn];
      if (secret.secretString !== undefined) {
        this.values.set(secret.arn, kept?.value === secret.secretString ? kept : { value: secret.secretString, versionId: randomUUID(), createdDate: now().getTime() / 1000 });
      } else if (secret.generate) {
        this.values.set(secret.arn, kept ?? { value: generateSecretValue(secret.generate), versionId: randomUUID(), createdDate: now().getTime() / 1000 });
      }
      changed ||= this.values.get(secret.arn) !== kept;
    }
    if (changed) {
      writeFileSync(`${stateFile}.tmp`, JSON.stringify(Object.fromEntries(this.values), null, 2), { mode: 0o600 });
      renameSync(`${stateFile}.tmp`, stateFile);
    }
  }

  /** A secret by name, full ARN, or ARN without its random suffix (as Secrets Manager accepts). */
  private find(id: unknown): LocalSecret {
    if (typeof id !== 'string' || id.length === 0) throw new SecretsError('InvalidParameterException', 'SecretId is required');
    const secret = this.secrets.find((candidate) => candidate.name === id || candidate.arn === id || candidate.arn.replace(/-[A-Za-z0-9]{6}$/, '') === id);
    if (!secret) throw new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  /** Runs one operation; what the endpoint returns as JSON. */
  handle(operation: string, input: Record<string, unknown>): unknown {
    const secret = this.find(input.SecretId);
    const stored = this.values.get(secret.arn);
    switch (operation) {
      case 'GetSecretValue': {
        if (!stored) throw new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
        if (input.VersionId !== undefined && input.VersionId !== stored.versionId) throw new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for VersionId");
        if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') throw new SecretsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${JSON.stringify(input.VersionStage)}`);
        return { ARN: secret.arn, Name: secret.name, VersionId: stored.versionId, SecretString: stored.value, VersionStages: ['AWSCURRENT'], CreatedDate: stored.createdDate };
      }
      case 'DescribeSecret':
        return {
          ARN: secret.arn,
          Name: secret.name,
          Description: secret.description,
          ...(stored ? { CreatedDate: stored.createdDate, LastChangedDate: stored.createdDate, VersionIdsToStages: { [stored.versionId]: ['AWSCURRENT'] } } : {}),
          RotationEnabled: false,
        };
      default:
        throw new SecretsError('UnknownOperationException', `${operation} is not served locally (GetSecretValue, DescribeSecret)`);
    }
  }

  /** The HTTP endpoint: SigV4 and same-origin required, like the other local AWS endpoints (request-gate.ts). */
  endpoint() {
    return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      const send = (statusCode: number, body: unknown, type?: string) => {
        response.writeHead(statusCode, { 'Content-Type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-ErrorType': type } : {}) });
        response.end(JSON.stringify(body));
      };
      const foreign = foreignOrigin(request);
      if (foreign || !hasAwsCredentials(request, 'json')) {
        const type = foreign ? 'AccessDeniedException' : 'MissingAuthenticationTokenException';
        send(403, { __type: type, message: foreign ?? 'Missing Authentication Token' }, type);
        return;
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        size += (chunk as Buffer).length;
        if (size > 65_536) {
          send(413, { __type: 'ValidationException', message: 'Request too large' }, 'ValidationException');
          return;
        }
        chunks.push(chunk as Buffer);
      }
      try {
        if (!target.startsWith('secretsmanager.')) throw new SecretsError('UnknownOperationException', 'Missing X-Amz-Target secretsmanager.<Operation>');
        const body = Buffer.concat(chunks).toString('utf8');
        const parsed: unknown = body ? JSON.parse(body) : {};
        if (typeof parsed !== 'object' || parsed === null) throw new SecretsError('SerializationException', 'Request body must be a JSON object');
        send(200, this.handle(target.slice('secretsmanager.'.length), parsed as Record<string, unknown>));
      } catch (error) {
        if (error instanceof SecretsError) send(error.statusCode, { __type: error.type, message: error.message }, error.type);
        else if (error instanceof SyntaxError) send(400, { __type: 'SerializationException', message: 'Malformed JSON' }, 'SerializationException');
        else throw error;
      }
    };
  }
}
