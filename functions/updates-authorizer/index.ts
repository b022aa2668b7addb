import { ticketKeyFromEnv } from '#adapters/realtime-from-env';
import { instrumented } from '#platform/tracing';
import { type AuthorizeUpdatesDependencies, type UpdatesAuthorizerEvent, authorizeUpdates } from './authorize-updates';

const dependencies: AuthorizeUpdatesDependencies = { ticketKey: ticketKeyFromEnv(), now: Date.now };

/** The WebSocket API's $connect REQUEST authorizer. Thin: the check lives beside it in authorize-updates.ts. */
export const handler = instrumented(
  () => ({}),
  (event: UpdatesAuthorizerEvent) => authorizeUpdates(dependencies, event),
);
