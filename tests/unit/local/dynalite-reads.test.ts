import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * patches/dev/dynalite+4.0.0.patch: dynalite reads an open LevelDB store through its synchronous get
 * (the memtable and block cache), not a job on the thread pool, and still calls back on a later
 * turn. npm run bench:store-cost measures what it saves; this holds the patch applied and its
 * callback contract kept.
 */
type Callback = (error: Error | null, value?: unknown) => void;
interface SubDb {
  put: (key: string, value: unknown, callback: Callback) => void;
  get: (key: string, callback: Callback) => void;
}
interface Level {
  status: string;
  open: () => Promise<void>;
  close: () => Promise<void>;
  _get: (...args: unknown[]) => Promise<unknown>;
  _getSync: (...args: unknown[]) => unknown;
}
const { create } = createRequire(__filename)('dynalite/db') as { create: (options: { path: string }) => { db: Level; tableDb: SubDb } };

const call = (operation: (callback: Callback) => void) =>
  new Promise<unknown>((resolve, reject) => {
    operation((error, value) => {
      if (error) reject(error);
      else resolve(value);
    });
  });

describe('dynalite reads (patched)', () => {
  let dir: string;
  let store: ReturnType<typeof create>;
  const calls = { async: 0, sync: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dynalite-reads-'));
    store = create({ path: dir });
    await store.db.open();
    const { _get: asyncGet, _getSync: syncGet } = store.db;
    store.db._get = (...args) => { calls.async += 1; return asyncGet.apply(store.db, args); };
    store.db._getSync = (...args) => { calls.sync += 1; return syncGet.apply(store.db, args); };
  });
  afterAll(async () => {
    await store.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers from the synchronous get, on a later turn, with what was written and nothing for a missing key', async () => {
    await call((callback) => { store.tableDb.put('Orders', { TableStatus: 'ACTIVE' }, callback); });
    let returned = false;
    const read = call((callback) => {
      store.tableDb.get('Orders', (error, value) => {
        // The callback never runs inside get(): callers rely on that ordering, as before the patch.
        expect(returned).toBe(true);
        callback(error, value);
      });
    });
    returned = true;
    await expect(read).resolves.toEqual({ TableStatus: 'ACTIVE' });
    await expect(call((callback) => { store.tableDb.get('Missing', callback); })).resolves.toBeUndefined();
    expect(calls).toEqual({ async: 0, sync: 2 });
  });

  it('still refuses reads once the store is closed', async () => {
    const other = create({ path: mkdtempSync(join(tmpdir(), 'dynalite-reads-closed-')) });
    await other.db.open();
    await other.db.close();
    await expect(call((callback) => { other.tableDb.get('Orders', callback); })).rejects.toThrow(/closed|not open/i);
  });
});
