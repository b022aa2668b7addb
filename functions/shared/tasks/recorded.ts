import { OrderStateConflict } from '#domain/errors';

/** Returns a value the order must already hold at this point, or fails with OrderStateConflict. */
export function recorded<T>(value: T | undefined | null, what: string, orderId: string): T {
  if (value === undefined || value === null) throw new OrderStateConflict(`Order ${orderId} has no ${what}`);
  return value;
}
