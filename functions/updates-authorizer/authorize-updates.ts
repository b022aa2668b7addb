import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { verifyUpdateTicket } from '#domain/update-ticket';
import { logger } from '#platform/powertools';

/** Thrown with exactly this message, API Gateway answers the upgrade with 401 (any other error: 500). */
export class Unauthorized extends Error {
  override name = 'Unauthorized';
  constructor() {
    super('Unauthorized');
  }
}

/** The parts of a WebSocket $connect REQUEST authorizer event this authorizer reads. */
export interface UpdatesAuthorizerEvent {
  methodArn: string;
  queryStringParameters?: Record<string, string | undefined> | null;
}

/** Passed to the $connect integration as requestContext.authorizer.{orderId, ownerApiKeyId}. */
export interface UpdatesAuthorizerContext {
  orderId: string;
  ownerApiKeyId: string;
}

export interface AuthorizeUpdatesDependencies {
  ticketKey: () => Promise<string>;
  now: () => number;
}

function policy(effect: 'Allow' | 'Deny', principalId: string, methodArn: string): APIGatewayAuthorizerResult {
  return { principalId, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }] } };
}

/**
 * The $connect authorizer. A missing, malformed, forged or expired ticket is 401 (Unauthorized); a
 * valid ticket presented for another order than the `orderId` beside it is 403 (Deny). An Allow
 * carries the order and owner the ticket names, so the connection subscribes to that order only.
 * The ticket itself is never logged: it is a bearer credential until it expires.
 */
export async function authorizeUpdates(deps: AuthorizeUpdatesDependencies, event: UpdatesAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const query = event.queryStringParameters ?? {};
  const verdict = verifyUpdateTicket(await deps.ticketKey(), query.ticket, deps.now());
  if (!verdict.ok) {
    logger.info('Update ticket refused', { reason: verdict.reason });
    throw new Unauthorized();
  }
  const { orderId, ownerApiKeyId } = verdict.claims;
  logger.appendKeys({ orderId });
  if (query.orderId !== undefined && query.orderId !== orderId) {
    logger.warn('Update ticket presented for another order', { requestedOrderId: query.orderId });
    return policy('Deny', ownerApiKeyId, event.methodArn);
  }
  const context: UpdatesAuthorizerContext = { orderId, ownerApiKeyId };
  return { ...policy('Allow', ownerApiKeyId, event.methodArn), context: { ...context } };
}
