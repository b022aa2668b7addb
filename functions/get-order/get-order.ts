import { type OrderEndpointDependencies, ownedOrderEndpoint } from '#api/endpoint';
import { json, ordersBasePath } from '#api/http';
import { toOrderView } from '#api/order-view';
import { type UpdatesLinks, withUpdatesLink } from '#api/updates-link';

export interface GetOrderDependencies extends OrderEndpointDependencies {
  updates: UpdatesLinks;
}

/** GET /orders/{orderId}: the live order view from DynamoDB, with links.updates. Other API keys get 404. */
export const getOrder = ownedOrderEndpoint(async (deps: GetOrderDependencies, order, event) =>
  json(200, withUpdatesLink(toOrderView(order, ordersBasePath(event)), await deps.updates.linkFor(order))),
);
