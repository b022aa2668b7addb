import { dirname, resolve as resolvePath } from 'node:path';
import { text } from '../../text';
import { resolve } from '../intrinsics';
import type { TemplateSource } from './template-source';

/** An AWS::Serverless::LayerVersion of the template, as `sam build` builds it (Metadata.BuildMethod) from its ContentUri. */
export interface LocalLayer {
  logicalId: string;
  /** What `!Ref` gives, and what a function's Layers lists. */
  arn: string;
  /** ContentUri, absolute. */
  contentDir: string;
  /** Metadata.BuildMethod: `nodejs24.x` and the like install the directory's package.json into nodejs/node_modules. */
  buildMethod: string;
}

/** Each AWS::Serverless::LayerVersion whose Condition holds. */
export function readLayers(source: TemplateSource): LocalLayer[] {
  const templateDir = dirname(source.templatePath);
  return source.ofType('AWS::Serverless::LayerVersion').map(([logicalId, resource]) => ({
    logicalId,
    arn: source.physical.layerVersionArn(logicalId),
    contentDir: resolvePath(templateDir, text(resolve(resource.Properties?.ContentUri, source.context), '.')),
    buildMethod: text(resource.Metadata?.BuildMethod),
  }));
}
