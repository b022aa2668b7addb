import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { text } from '../../text';
import { TemplateError, resolve } from '../intrinsics';
import type { TemplateSource } from './template-source';

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  type: string;
  definition: Record<string, unknown>;
  /** The ASL file DefinitionUri names (absolute), which the dev loop watches. */
  definitionPath?: string;
  /** AutoPublishAlias: the runtime then publishes a version per distinct definition, behind this alias. */
  alias?: string;
}

/** Each AWS::Serverless::StateMachine: its ASL file (relative to the template) with DefinitionSubstitutions applied. */
export function readStateMachines(source: TemplateSource): LocalStateMachine[] {
  return source.ofType('AWS::Serverless::StateMachine').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const uri = props.DefinitionUri;
    if (typeof uri !== 'string') throw new TemplateError(`${logicalId}: DefinitionUri must be a local file path`);
    const substitutions = (resolve(props.DefinitionSubstitutions ?? {}, source.context) ?? {}) as Record<string, unknown>;
    const definitionPath = fileURLToPath(new URL(uri, `file://${source.templatePath}`));
    const asl = readFileSync(definitionPath, 'utf8').replace(/\$\{([^}]+)\}/g, (whole, key: string) =>
      key in substitutions ? text(substitutions[key]) : whole,
    );
    return {
      logicalId,
      name: logicalId,
      arn: source.physical.stateMachineArn(logicalId),
      type: text(resolve(props.Type, source.context), 'STANDARD'),
      definition: JSON.parse(asl) as Record<string, unknown>,
      definitionPath,
      ...(typeof props.AutoPublishAlias === 'string' ? { alias: props.AutoPublishAlias } : {}),
    };
  });
}
