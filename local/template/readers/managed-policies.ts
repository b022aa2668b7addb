import { text } from '../../text';
import { resolve } from '../intrinsics';
import { type TemplateSource, isObject } from './template-source';

export interface LocalPolicyStatement {
  effect: 'Allow' | 'Deny';
  action: string | string[];
  resources: string[];
}

/** An AWS::IAM::ManagedPolicy: what local IAM principals that hold it may do (only execute-api:Invoke is enforced). */
export interface LocalManagedPolicy {
  logicalId: string;
  statements: LocalPolicyStatement[];
}

/** Each AWS::IAM::ManagedPolicy, its statements resolved (`!Ref OrdersApi` is the API's logical id locally). */
export function readManagedPolicies(source: TemplateSource): LocalManagedPolicy[] {
  return source.ofType('AWS::IAM::ManagedPolicy').map(([logicalId, resource]) => {
    const document = resolve(resource.Properties?.PolicyDocument ?? {}, source.context) as Record<string, unknown>;
    const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    return {
      logicalId,
      statements: raw.filter(isObject).map((statement) => ({
        effect: statement.Effect === 'Deny' ? 'Deny' : 'Allow',
        action: Array.isArray(statement.Action) ? statement.Action.map((action) => text(action)) : text(statement.Action),
        resources: (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((resource) => text(resource)),
      })),
    };
  });
}
