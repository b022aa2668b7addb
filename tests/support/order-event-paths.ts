import type { OrderEvent } from '#domain/order-events';

/*
 * The exact domain events of each path through the state machine, as labels (OrderFailed carries
 * its failure code). The statemachine test records them on the real ASL; the integration tests
 * expect the same sequences on the local bus.
 */
export const PATH_EVENTS = {
  happy: ['OrderPlaced', 'PaymentAuthorized', 'ShipmentCreated', 'PaymentCaptured', 'ReceiptReady', 'OrderCompleted'],
  declined: ['OrderPlaced', 'OrderFailed:PaymentDeclined'],
  authorizationUnavailable: ['OrderPlaced', 'CompensationStarted', 'OrderFailed:ProviderUnavailable'],
  shippingFailure: ['OrderPlaced', 'PaymentAuthorized', 'CompensationStarted', 'OrderFailed:AddressNotServiceable'],
  captureFailure: ['OrderPlaced', 'PaymentAuthorized', 'ShipmentCreated', 'CompensationStarted', 'OrderFailed:CaptureDeclined'],
  receiptFailure: ['OrderPlaced', 'PaymentAuthorized', 'ShipmentCreated', 'PaymentCaptured', 'OrderCompleted'],
  compensationFailure: ['OrderPlaced', 'PaymentAuthorized', 'CompensationStarted', 'OrderFailed:CompensationFailed'],
} as const satisfies Record<string, readonly string[]>;

/** The label of an event in PATH_EVENTS, from its detail-type and detail. */
export function eventLabel(detailType: string, detail: unknown): string {
  const code = (detail as { failure?: { code?: unknown } } | null)?.failure?.code;
  return detailType === 'OrderFailed' ? `OrderFailed:${String(code)}` : detailType;
}

/** The label of an OrderEvent. */
export const labelOf = (event: OrderEvent): string => eventLabel(event.detailType, event.detail);
