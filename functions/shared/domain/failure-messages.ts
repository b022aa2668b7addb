import { MAIN_STEPS, type OrderRecord, type StepName } from './order';

const CUSTOMER_MESSAGES: Readonly<Record<string, string>> = {
  PaymentDeclined: 'The payment was declined. No charge was made and nothing was shipped.',
  AddressNotServiceable: 'We cannot deliver to this address. The payment authorization was released.',
  CaptureDeclined: 'The payment could not be completed. The shipment was cancelled and the authorization released.',
  ProviderUnavailable: 'A payment or shipping provider was unavailable. The order was cancelled and no charge was made.',
  SUBMISSION_FAILED: 'The order could not be submitted for processing.',
};

/** A message a customer may see for a failure code (an error name). Internal details stay in the step record. */
export function customerMessageFor(code: string): string {
  return CUSTOMER_MESSAGES[code] ?? 'The order could not be processed. It was cancelled and no charge was made.';
}

/** The main step where the order went wrong: the first one that started but did not succeed. */
export function failedStepOf(order: OrderRecord): StepName | undefined {
  return MAIN_STEPS.find((step) => {
    const record = order.steps[step];
    return record.attempts > 0 && record.status !== 'SUCCEEDED';
  });
}
