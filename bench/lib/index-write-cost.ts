import type { OrderChange } from '#domain/order-events';

/** A global secondary index as the template declares it. */
export interface IndexDefinition {
  IndexName: string;
  KeySchema: { AttributeName: string; KeyType: string }[];
  Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
}

type Item = Record<string, unknown>;

/** DynamoDB's item size: attribute name bytes plus value bytes (numbers ~ 1 byte per 2 digits + 1). */
function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, entry) => sum + 1 + valueSize(entry), 0);
  return 3 + Object.entries(value as Item).reduce((sum, [name, entry]) => sum + Buffer.byteLength(name) + 1 + valueSize(entry), 0);
}

/** The index entry of an item: table key, index keys and projected attributes; undefined when the item lacks an index key (sparse). */
function entryOf(item: Item | undefined, index: IndexDefinition, tableKeys: readonly string[]): Item | undefined {
  if (!item) return undefined;
  const keys = index.KeySchema.map((key) => key.AttributeName);
  if (keys.some((key) => item[key] === undefined)) return undefined;
  const type = index.Projection.ProjectionType ?? 'KEYS_ONLY';
  const names = type === 'ALL' ? Object.keys(item) : [...tableKeys, ...keys, ...(type === 'INCLUDE' ? (index.Projection.NonKeyAttributes ?? []) : [])];
  return Object.fromEntries([...new Set(names)].filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
}

const units = (entry: Item) => Math.max(1, Math.ceil(Object.entries(entry).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0) / 1024));

/**
 * The write units a table write costs in one GSI, by DynamoDB's rules: an item entering the index is
 * one put, leaving it one delete, a changed index key a delete and a put, a changed projected
 * attribute one put, and anything else nothing; each sized by its index entry (1 KB per unit).
 */
export function indexWriteUnits(changes: readonly OrderChange[], index: IndexDefinition, tableKeys: readonly string[]): number {
  let total = 0;
  for (const change of changes) {
    const before = entryOf(change.oldOrder as Item | undefined, index, tableKeys);
    const after = entryOf(change.newOrder as Item | undefined, index, tableKeys);
    if (!before && !after) continue;
    if (!before && after) total += units(after);
    else if (before && !after) total += units(before);
    else if (before && after) {
      const keyChanged = index.KeySchema.some((key) => JSON.stringify(before[key.AttributeName]) !== JSON.stringify(after[key.AttributeName]));
      if (keyChanged) total += units(before) + units(after);
      else if (JSON.stringify(before) !== JSON.stringify(after)) total += units(after);
    }
  }
  return total;
}
