import { type OrderEndpointDependencies, ownedOrderEndpoint } from '#api/endpoint';
import { json, ordersBasePath } from '#api/http';
import { toOrderView } from '#api/order-view';

/** GET /orders/{orderId}: the live order view from DynamoDB. Other API keys get 404. */
export const getOrder = ownedOrderEndpoint((_deps: OrderEndpointDependencies, order, event) =>
  Promise.resolve(json(200, toOrderView(order, ordersBasePath(event)))),
);
