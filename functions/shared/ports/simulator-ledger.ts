/** One record in a simulator's ledger: an authorization, a shipment, or a tombstone. */
export interface LedgerEntry {
  pk: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Durable ledger of what the provider simulators did, so tests and invariant checks can prove
 * that nothing was charged twice or left open. Every change is a conditional write.
 */
export interface SimulatorLedger {
  get<T extends LedgerEntry>(pk: string): Promise<T | undefined>;
  /** Inserts the entry unless the key exists; returns whichever entry is stored. */
  insert<T extends LedgerEntry>(entry: T): Promise<T>;
  /** Moves an entry from one of `from` to `to`; returns undefined when it was in another status. */
  transition<T extends LedgerEntry>(pk: string, from: readonly string[], to: string, set: Record<string, unknown>): Promise<T | undefined>;
  /** Counts calls for a key (used to fail a set number of times before succeeding). */
  countAttempt(key: string): Promise<number>;
}
