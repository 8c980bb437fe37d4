/**
 * Unsent work kept in the browser (IndexedDB) until the server has confirmed it: text fields and
 * the chosen files themselves (File objects are stored as they are). A reload, a crash or a lost
 * connection does not lose what a person typed or picked. Keys start with the user's id, so that
 * on a shared school computer one pupil never sees another's draft, and signing out removes them.
 *
 * Every function resolves (never rejects): without IndexedDB (a very old browser, some private
 * modes) drafts are simply not kept, and the form works as before.
 */

const DB_NAME = 'polku-drafts';
const STORE = 'drafts';

export interface StoredDraft<F> {
  key: string;
  fields: F;
  files: File[];
  /** When the draft was last written (ISO). */
  savedAt: string;
  /** The person pressed Save: the draft is sent as soon as the connection allows. */
  submitted: boolean;
}

let opening: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  opening ??= new Promise((resolve) => {
    try {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

/** Runs one request in its own transaction; resolves when the transaction has committed. */
async function run<T>(mode: IDBTransactionMode, make: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | null> {
  const db = await open();
  if (!db) return null;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(STORE, mode);
      const request = make(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => resolve(null);
      tx.onabort = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

export const draftKey = (userId: string, what: string) => `${userId}:${what}`;

export const drafts = {
  async get<F>(key: string): Promise<StoredDraft<F> | null> {
    const found = await run<unknown>('readonly', (store) => store.get(key));
    return (found as StoredDraft<F> | undefined) ?? null;
  },
  async put<F>(draft: StoredDraft<F>): Promise<void> {
    await run('readwrite', (store) => store.put(draft));
  },
  async remove(key: string): Promise<void> {
    await run('readwrite', (store) => store.delete(key));
  },
  /** Everything one user left unsent (at sign-out on a shared computer). */
  async removeAllOf(userId: string): Promise<void> {
    await run('readwrite', (store) => store.delete(IDBKeyRange.bound(`${userId}:`, `${userId}:\uffff`)));
  },
};
