import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yamlParse } from 'yaml-cfn';

export const ROOT = join(__dirname, '..', '..');

export interface CfnResource {
  Type: string;
  Metadata?: { BuildMethod?: string; BuildProperties?: { EntryPoints?: string[]; [key: string]: unknown } };
  Properties?: Record<string, unknown>;
}

export interface SamTemplate {
  Globals: { Function: Record<string, unknown> };
  Resources: Record<string, CfnResource>;
}

let cached: SamTemplate | undefined;

/** template.yaml, parsed with the CloudFormation tags (!Ref, !GetAtt, !Sub …) as objects. */
export function loadTemplate(): SamTemplate {
  cached ??= yamlParse(readFileSync(join(ROOT, 'template.yaml'), 'utf8')) as SamTemplate;
  return cached;
}

/** Resources of one type, by logical id. */
export function resourcesOfType(type: string): [string, CfnResource][] {
  return Object.entries(loadTemplate().Resources).filter(([, resource]) => resource.Type === type);
}

/** The folder under functions/ a function's entry point lives in. */
export function functionFolder(resource: CfnResource): string {
  const entry = resource.Metadata?.BuildProperties?.EntryPoints?.[0];
  const match = entry ? /^functions\/([^/]+)\/index\.ts$/.exec(entry) : null;
  if (!match?.[1]) throw new Error(`Function has no functions/<name>/index.ts entry point: ${String(entry)}`);
  return match[1];
}

/** The ASL text as checked in (placeholders intact). */
export function readAslText(): string {
  return readFileSync(join(ROOT, 'statemachine', 'order-processing.asl.json'), 'utf8');
}

/** DefinitionSubstitutions of the state machine, as written in the template. */
export function definitionSubstitutions(): Record<string, unknown> {
  const [, machine] = resourcesOfType('AWS::Serverless::StateMachine')[0] ?? [];
  return (machine?.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
}

/**
 * The ASL with its DefinitionSubstitutions applied the way CloudFormation would, using
 * account-shaped values: `!Ref XFunction.Alias` becomes the alias ARN of XFunction.
 */
export function resolvedDefinition(): Record<string, unknown> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(definitionSubstitutions())) {
    const ref = (value as { Ref?: string }).Ref;
    if (ref === 'AWS::Partition') values[key] = 'aws';
    else if (ref?.endsWith('.Alias')) values[key] = `arn:aws:lambda:us-east-1:123456789012:function:${ref.replace('.Alias', '')}:live`;
    else throw new Error(`No test value for substitution ${key}`);
  }
  const text = readAslText().replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, key: string) => values[key] ?? whole);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Key schema and attribute definitions of each DynamoDB table, by logical id. */
export function tableDefinitions(): Record<string, { KeySchema: unknown; AttributeDefinitions: unknown }> {
  return Object.fromEntries(
    resourcesOfType('AWS::DynamoDB::Table').map(([id, table]) => [
      id,
      { KeySchema: table.Properties?.KeySchema, AttributeDefinitions: table.Properties?.AttributeDefinitions },
    ]),
  );
}
