import type { OrderRecord } from '#domain/order';
import { signUpdateTicket } from '#domain/update-ticket';
import { describeError } from '#domain/errors';
import { logger } from '#platform/powertools';

/** Builds `links.updates` for an order: the WebSocket URL with a signed ticket (update-ticket.ts). */
export interface UpdatesLinks {
  /** The link, or undefined when the ticket key cannot be read (the response still serves, without push). */
  linkFor(order: Pick<OrderRecord, 'orderId' | 'ownerApiKeyId'>): Promise<string | undefined>;
}

export interface UpdatesLinkSettings {
  /** UPDATES_WEBSOCKET_URL: wss://{api}.execute-api.{region}.amazonaws.com/{stage} (ws://… locally). */
  url: string;
  /** UPDATES_TICKET_TTL_SECONDS, at most 300. */
  ticketTtlSeconds: number;
  /** The ticket key (Secrets Manager, cached: platform/secrets.ts). */
  key: () => Promise<string>;
  now: () => number;
}

/**
 * `links.updates` for the API responses. The orderId travels beside the ticket so the authorizer can
 * refuse a ticket presented for another order. A failure to read the key is logged and the link left
 * out: live updates are an addition to GET /orders/{id}, which must not fail because of them.
 */
export function updatesLinks(settings: UpdatesLinkSettings): UpdatesLinks {
  return {
    async linkFor(order) {
      let key: string;
      try {
        key = await settings.key();
      } catch (error) {
        logger.warn('Ticket key unavailable; responding without links.updates', { error: describeError(error) });
        return undefined;
      }
      const ticket = signUpdateTicket(key, { orderId: order.orderId, ownerApiKeyId: order.ownerApiKeyId }, settings.now(), settings.ticketTtlSeconds);
      const url = new URL(settings.url);
      url.searchParams.set('orderId', order.orderId);
      url.searchParams.set('ticket', ticket);
      return url.toString();
    },
  };
}

/** The view with `links.updates` added, when there is a link. */
export function withUpdatesLink<V extends { links: object }>(view: V, link: string | undefined): V {
  return link === undefined ? view : { ...view, links: { ...view.links, updates: link } };
}

/** For an in-process pipeline without a WebSocket API (bench/lib): responses carry no links.updates. */
export const NO_UPDATES_LINKS: UpdatesLinks = { linkFor: () => Promise.resolve(undefined) };
