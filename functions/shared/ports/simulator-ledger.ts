/** One record in a simulator's ledger: an authorization, a shipment, or a tombstone. */
export interface LedgerEntry {
  pk: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

/** A condition on one attribute (a dotted path into the entry) that a transition also requires. */
export type LedgerGuard =
  | { path: string; equals: string | number | boolean }
  /** Holds when the attribute is absent too. */
  | { path: string; notEquals: string | number | boolean }
  | { path: string; atLeast: number };

/** Whether an entry satisfies a guard, as DynamoDB evaluates the condition transition() writes for it. */
export function guardHolds(entry: object, guard: LedgerGuard): boolean {
  const value = guard.path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), entry);
  if ('equals' in guard) return value === guard.equals;
  if ('notEquals' in guard) return value !== guard.notEquals;
  return typeof value === 'number' && value >= guard.atLeast;
}

/**
 * Durable ledger of what the provider simulators did, so tests and invariant checks can prove
 * that nothing was charged twice or left open. Every change is a conditional write.
 */
export interface SimulatorLedger {
  get<T extends LedgerEntry>(pk: string): Promise<T | undefined>;
  /** Inserts the entry unless the key exists; returns whichever entry is stored. */
  insert<T extends LedgerEntry>(entry: T): Promise<T>;
  /**
   * Moves an entry from one of `from` to `to`, when every `guard` holds too; returns undefined when
   * it did not (another status, or a guard failed), in the same conditional write.
   */
  transition<T extends LedgerEntry>(pk: string, from: readonly string[], to: string, set: Record<string, unknown>, guards?: readonly LedgerGuard[]): Promise<T | undefined>;
  /** Counts calls for a key (used to fail a set number of times before succeeding). */
  countAttempt(key: string): Promise<number>;
}
