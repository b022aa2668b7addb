import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yamlParse } from 'yaml-cfn';
import { type LocalTemplate, loadLocalTemplate } from '../../local/template/local-template';

export const ROOT = join(__dirname, '..', '..');

export interface CfnResource {
  Type: string;
  Metadata?: { BuildMethod?: string; BuildProperties?: { EntryPoints?: string[]; [key: string]: unknown } };
  Properties?: Record<string, unknown>;
  Condition?: string;
}

export interface SamTemplate {
  Globals: { Function: Record<string, unknown> };
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, unknown>;
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

/** The ASL with its DefinitionSubstitutions applied, by the same loader the local runtime uses. */
export function resolvedDefinition(): Record<string, unknown> {
  const [machine] = localTemplate().stateMachines;
  if (!machine) throw new Error('template.yaml has no state machine');
  return machine.definition;
}

let local: LocalTemplate | undefined;

/** template.yaml as the local runtime resolves it. */
export function localTemplate(): LocalTemplate {
  local ??= loadLocalTemplate({ templatePath: join(ROOT, 'template.yaml') });
  return local;
}
