import type { LocalManagedPolicy } from '../template/local-template';
import { GatewayRejection } from './gateway-responses';
import type { RequestHeaders } from './headers';
import { iamWildcard, verifySigV4 } from '../../functions/shared/api/sigv4';

/** A local IAM user (local/config.json `iamPrincipals`): its keys, ARN and the template's managed policies it holds. */
export interface LocalIamPrincipal {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  userArn: string;
  /** The IAM unique id (AIDA…), which API Gateway reports as `caller` and `user`. */
  userId: string;
  /** Logical ids of AWS::IAM::ManagedPolicy resources of the template. */
  policies: string[];
}

/** `requestContext.identity`'s principal fields, as API Gateway fills them for an IAM user. */
export interface IamIdentity {
  accountId: string;
  caller: string;
  accessKey: string;
  user: string;
  userArn: string;
}

const patterns = new Map<string, RegExp>();

/** IAM's wildcards: `*` any run of characters, `?` one character (compiled once per pattern). */
function arnPattern(resource: string): RegExp {
  let pattern = patterns.get(resource);
  if (!pattern) {
    pattern = iamWildcard(resource);
    patterns.set(resource, pattern);
  }
  return pattern;
}

function matchesAction(action: string | string[]): boolean {
  return (Array.isArray(action) ? action : [action]).some((candidate) => arnPattern(candidate.toLowerCase()).test('execute-api:invoke'));
}

/** API Gateway masks all but the last 4 digits of the account id in a denial. */
function masked(arn: string): string {
  return arn.replace(/^(arn:[^:]+:execute-api:[^:]+:)\d{8}(\d{4}):/, '$1********$2:');
}

/**
 * The AWS_IAM authorizer of the local gateway: SigV4 as API Gateway verifies it (sigv4.ts), then
 * execute-api:Invoke on the method ARN against the caller's managed policies (an explicit Deny wins).
 */
export class IamAuthorizer {
  private readonly byAccessKey: Map<string, LocalIamPrincipal>;

  constructor(
    principals: readonly LocalIamPrincipal[],
    private readonly policies: readonly LocalManagedPolicy[],
    private readonly settings: { region: string; accountId: string; clock?: () => number },
  ) {
    this.byAccessKey = new Map(principals.map((principal) => [principal.accessKeyId, principal]));
  }

  /** Policies the principals name that this template does not define: they grant nothing (a typo, or another template). */
  warnings(): string[] {
    return [...this.byAccessKey.values()].flatMap((principal) =>
      principal.policies
        .filter((id) => !this.policies.some((policy) => policy.logicalId === id))
        .map((id) => `local/config.json: IAM principal ${principal.name} holds ${id}, which this template does not define as AWS::IAM::ManagedPolicy; it grants nothing`),
    );
  }

  /** The method ARN execute-api:Invoke is checked on: `arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`. */
  methodArn(apiId: string, stage: string, method: string, path: string): string {
    return `arn:aws:execute-api:${this.settings.region}:${this.settings.accountId}:${apiId}/${stage}/${method}${path}`;
  }

  /** The caller's identity, or API Gateway's 403 for an unsigned, badly signed or unauthorized request. */
  authorize(request: { method: string; path: string; query: string; headers: RequestHeaders; body: Buffer }, methodArn: string): IamIdentity | GatewayRejection {
    const verified = verifySigV4(request, {
      region: this.settings.region,
      now: (this.settings.clock ?? Date.now)(),
      secretFor: (accessKeyId) => this.byAccessKey.get(accessKeyId)?.secretAccessKey,
    });
    if ('kind' in verified) {
      if (verified.kind === 'unsigned') return new GatewayRejection('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException');
      if (verified.kind === 'unknownKey') return new GatewayRejection('UNAUTHORIZED', 403, verified.message, 'UnrecognizedClientException');
      if (verified.kind === 'incomplete') return new GatewayRejection('INVALID_SIGNATURE', 403, verified.message, 'IncompleteSignatureException');
      return new GatewayRejection('INVALID_SIGNATURE', 403, verified.message, 'InvalidSignatureException');
    }
    const principal = this.byAccessKey.get(verified.accessKeyId);
    if (!principal) return new GatewayRejection('UNAUTHORIZED', 403, 'The security token included in the request is invalid.', 'UnrecognizedClientException');
    if (!this.allows(principal, methodArn)) {
      return new GatewayRejection(
        'ACCESS_DENIED',
        403,
        `User: ${principal.userArn} is not authorized to perform: execute-api:Invoke on resource: ${masked(methodArn)}`,
        'AccessDeniedException',
        'Message',
      );
    }
    return { accountId: this.settings.accountId, caller: principal.userId, accessKey: principal.accessKeyId, user: principal.userId, userArn: principal.userArn };
  }

  private allows(principal: LocalIamPrincipal, methodArn: string): boolean {
    const statements = this.policies.filter((policy) => principal.policies.includes(policy.logicalId)).flatMap((policy) => policy.statements);
    const matching = statements.filter((statement) => matchesAction(statement.action) && statement.resources.some((resource) => arnPattern(resource).test(methodArn)));
    return matching.some((statement) => statement.effect === 'Allow') && !matching.some((statement) => statement.effect === 'Deny');
  }
}
