import { type OrderEndpointDependencies, ownedOrderEndpoint } from '#api/endpoint';
import { json, problem } from '#api/http';
import { ReceiptNotAvailable, type ReceiptLinksDependencies, receiptLinks } from './receipt-links';

export interface GetReceiptDependencies extends OrderEndpointDependencies, ReceiptLinksDependencies {}

/** GET /orders/{orderId}/receipt: short-lived presigned links to the receipt, 409 until it exists. */
export const getReceipt = ownedOrderEndpoint(async (deps: GetReceiptDependencies, order) => {
  try {
    return json(200, await receiptLinks(deps, order));
  } catch (error) {
    if (error instanceof ReceiptNotAvailable) return problem(409, error.message);
    throw error;
  }
});
