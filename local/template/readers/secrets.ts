import { text } from '../../text';
import { resolve } from '../intrinsics';
import { type TemplateSource, isObject } from './template-source';

/** GenerateSecretString, as Secrets Manager's GetRandomPassword takes it. */
export interface SecretGenerator {
  passwordLength: number;
  excludeCharacters: string;
  excludePunctuation: boolean;
  excludeUppercase: boolean;
  excludeLowercase: boolean;
  excludeNumbers: boolean;
  includeSpace: boolean;
  requireEachIncludedType: boolean;
  /** SecretStringTemplate and GenerateStringKey: the value is the template's JSON with the password under the key. */
  template?: { json: string; key: string };
}

/** An AWS::SecretsManager::Secret: a literal SecretString, or a value generated once. */
export interface LocalSecret {
  logicalId: string;
  name: string;
  arn: string;
  description: string;
  secretString?: string;
  generate?: SecretGenerator;
}

const flag = (value: unknown, fallback: boolean) => (value === undefined ? fallback : value === true || value === 'true');

/** Each AWS::SecretsManager::Secret with its name, ARN and value or generator. */
export function readSecrets(source: TemplateSource): LocalSecret[] {
  return source.ofType('AWS::SecretsManager::Secret').map(([logicalId, resource]) => {
    const props = resolve(resource.Properties ?? {}, source.context) as Record<string, unknown>;
    const generate = isObject(props.GenerateSecretString) ? props.GenerateSecretString : undefined;
    const { name, arn } = source.physical.secret(logicalId);
    return {
      logicalId,
      name,
      arn,
      description: text(props.Description, ''),
      ...(typeof props.SecretString === 'string' ? { secretString: props.SecretString } : {}),
      ...(generate
        ? {
            generate: {
              passwordLength: Number(generate.PasswordLength ?? 32),
              excludeCharacters: text(generate.ExcludeCharacters, ''),
              excludePunctuation: flag(generate.ExcludePunctuation, false),
              excludeUppercase: flag(generate.ExcludeUppercase, false),
              excludeLowercase: flag(generate.ExcludeLowercase, false),
              excludeNumbers: flag(generate.ExcludeNumbers, false),
              includeSpace: flag(generate.IncludeSpace, false),
              requireEachIncludedType: flag(generate.RequireEachIncludedType, true),
              ...(generate.SecretStringTemplate !== undefined && generate.GenerateStringKey !== undefined
                ? { template: { json: text(generate.SecretStringTemplate), key: text(generate.GenerateStringKey) } }
                : {}),
            },
          }
        : {}),
    };
  });
}
