/*
 * The types the orders API exposes, as the handlers declare them: scripts/openapi.ts turns them
 * into JSON Schema (ts-json-schema-generator) for docs/openapi.yaml and the client's generated types,
 * so neither is ever copied by hand. Each alias here becomes a component schema of that name.
 */
import type * as http from '#api/http';
import type * as orderView from '#api/order-view';
import type * as orderUpdates from '#api/order-updates';
import type * as catalog from '#domain/catalog';
import type * as order from '#domain/order';
import type * as money from '#domain/money';
import type * as orderRequest from '#domain/order-request';
import type * as pricing from '#domain/pricing';
import type * as createOrder from '../../functions/create-order/create-order';
import type * as listProducts from '../../functions/list-products/list-products';
import type * as receiptLinks from '../../functions/get-receipt/receipt-links';
import type * as admin from './admin-types';

export type ErrorBody = http.ErrorBody;
export type FieldError = orderRequest.FieldError;
export type Money = money.Money;
export type OrderStatus = order.OrderStatus;
export type StepName = order.StepName;
export type StepStatus = order.StepStatus;
export type OrderLine = pricing.OrderLine;
export type OrderTotals = pricing.OrderTotals;
export type TimelineEntry = orderView.TimelineEntry;
export type OrderView = orderView.OrderView;
export type Product = catalog.Product;
export type ProductList = listProducts.ProductList;
export type OrderAccepted = createOrder.OrderAccepted;
export type OrderFailedBody = createOrder.OrderFailedBody;
export type ReceiptLinks = receiptLinks.ReceiptLinks;
export type OrderUpdateMessage = orderUpdates.OrderUpdateMessage;
export type AdminOrderView = admin.AdminOrderView;
export type AdminOrderList = admin.AdminOrderList;
export type AdminRetryResult = admin.AdminRetryResult;
