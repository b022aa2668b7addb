import type * as z from 'zod/mini';
import type * as client from '#client';
import type { ErrorBody } from '#api/http';
import type { OrderView } from '#api/order-view';
import type { OrderUpdateMessage } from '#api/order-updates';
import type { Product } from '#domain/catalog';
import type { FieldError, OrderRequestSchema } from '#domain/order-request';
import type { OrderAccepted, OrderFailedBody } from '../../functions/create-order/create-order';
import type { ProductList } from '../../functions/list-products/list-products';
import type { ReceiptLinks } from '../../functions/get-receipt/receipt-links';

/*
 * The client's types against the handlers' own: each pair must be assignable both ways, so a
 * request the client accepts is one the handler's zod schema types, and a body a handler returns is
 * what the client promises. Checked by tsc (npm run typecheck) and by client-types.test.ts.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const CLIENT_MATCHES_HANDLERS: {
  orderRequest: Same<client.OrderRequest, z.infer<typeof OrderRequestSchema>>;
  orderView: Same<client.OrderView, OrderView>;
  orderAccepted: Same<client.OrderAccepted, OrderAccepted>;
  orderFailedBody: Same<client.OrderFailedBody, OrderFailedBody>;
  receiptLinks: Same<client.ReceiptLinks, ReceiptLinks>;
  productList: Same<client.ProductList, ProductList>;
  product: Same<client.Product, Product>;
  errorBody: Same<client.ErrorBody, ErrorBody>;
  fieldError: Same<client.FieldError, FieldError>;
  orderUpdateMessage: Same<client.OrderUpdateMessage, OrderUpdateMessage>;
} = {
  orderRequest: true,
  orderView: true,
  orderAccepted: true,
  orderFailedBody: true,
  receiptLinks: true,
  productList: true,
  product: true,
  errorBody: true,
  fieldError: true,
  orderUpdateMessage: true,
};
