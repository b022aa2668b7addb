import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSecretsManager, generatePassword, generateSecretValue } from '../../../local/secretsmanager/secrets-manager';
import type { LocalSecret, SecretGenerator } from '../../../local/template/local-template';

const spec = (overrides: Partial<SecretGenerator> = {}): SecretGenerator => ({
  passwordLength: 64,
  excludeCharacters: '',
  excludePunctuation: false,
  excludeUppercase: false,
  excludeLowercase: false,
  excludeNumbers: false,
  includeSpace: false,
  requireEachIncludedType: true,
  ...overrides,
});

const SECRET: LocalSecret = { logicalId: 'Key', name: 'Key-abc', arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:Key-abc-XyZ123', description: 'd', generate: spec({ excludePunctuation: true }) };

describe('local Secrets Manager', () => {
  it('generates passwords of the asked length from the included types only, one of each when required', () => {
    for (let run = 0; run < 50; run += 1) {
      const password = generatePassword(spec({ passwordLength: 12, excludePunctuation: true, excludeCharacters: 'aeiouAEIOU01' }));
      expect(password).toMatch(/^[A-Za-z2-9]{12}$/);
      expect(password).not.toMatch(/[aeiouAEIOU01]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
    }
    expect(generatePassword(spec({ passwordLength: 30, excludeUppercase: true, excludeLowercase: true, excludeNumbers: true }))).toMatch(/^[!-/:-@[-`{-~]{30}$/);
  });

  it('puts the password under GenerateStringKey of SecretStringTemplate', () => {
    const value = JSON.parse(generateSecretValue(spec({ passwordLength: 20, template: { json: '{"username":"svc"}', key: 'password' } }))) as Record<string, string>;
    expect(value.username).toBe('svc');
    expect(value.password).toHaveLength(20);
  });

  it('generates a value once and keeps it across restarts in its state file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'secrets.json');
    const first = new LocalSecretsManager([SECRET], file).handle('GetSecretValue', { SecretId: SECRET.arn }) as { SecretString: string; VersionId: string };
    const again = new LocalSecretsManager([SECRET], file).handle('GetSecretValue', { SecretId: SECRET.name }) as { SecretString: string; VersionId: string };
    expect(first.SecretString).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(again).toMatchObject({ SecretString: first.SecretString, VersionId: first.VersionId, VersionStages: ['AWSCURRENT'] });
    expect(readFileSync(file, 'utf8')).toContain(first.SecretString);
  });

  it('finds a secret by its partial ARN and refuses an unknown one as ResourceNotFoundException', () => {
    const manager = new LocalSecretsManager([SECRET], join(mkdtempSync(join(tmpdir(), 'secrets-')), 'secrets.json'));
    expect(manager.handle('DescribeSecret', { SecretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:Key-abc' })).toMatchObject({ Name: 'Key-abc', RotationEnabled: false });
    expect(() => manager.handle('GetSecretValue', { SecretId: 'other' })).toThrow(expect.objectContaining({ type: 'ResourceNotFoundException' }) as Error);
  });
});
