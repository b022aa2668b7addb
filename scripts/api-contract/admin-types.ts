/*
 * The operator routes' bodies: the handler's own types (functions/admin-orders/admin-orders.ts), so
 * the client and docs/openapi.yaml follow the handler (npm run openapi regenerates both).
 */
export type { AdminExecutionSummary, AdminOrderList, AdminOrderView, AdminRetryResult } from '../../functions/admin-orders/admin-orders';
