// Runs kept in IndexedDB, so a reload loses nothing: each run's setup, its loss curve (every logged step), its epochs,
// and its latest weights and optimizer state (safetensors, saved at each epoch's end), to overlay and reload later.
import type { EpochPoint } from './protocol.js';
import type { StudioSetup } from './setup.js';

export interface RunRecord {
  id: string;
  label: string;
  created: number;
  setup: StudioSetup;
  steps: number[];
  loss: number[];
  epochs: Omit<EpochPoint, 'confusion'>[];
  /** What changed during the run (a batch size), after which step. */
  notes?: { step: number; text: string }[];
  /**
   * Weights and optimizer state at the last saved epoch (safetensors bytes). A Blob, not bytes: IndexedDB's put clones
   * its value on the main thread, and megabytes of bytes made that a long task while training; a Blob is stored
   * without that copy. Records saved before hold a Uint8Array.
   */
  checkpoint?: Blob | Uint8Array;
}

const DB = 'wgsl-nn-studio', STORE = 'runs';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id' });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function request<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then((db) => new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const r = f(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(r.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  }));
}

export const listRuns = (): Promise<RunRecord[]> => request('readonly', (s) => s.getAll() as IDBRequest<RunRecord[]>).then((rs) => rs.sort((a, b) => a.created - b.created));
export const saveRun = (r: RunRecord): Promise<unknown> => request('readwrite', (s) => s.put(r));
export const deleteRun = (id: string): Promise<unknown> => request('readwrite', (s) => s.delete(id));

/** A saved run's checkpoint bytes (a fresh copy, free to transfer). */
export async function checkpointBytes(r: RunRecord): Promise<Uint8Array | null> {
  if (!r.checkpoint) return null;
  return r.checkpoint instanceof Blob ? new Uint8Array(await r.checkpoint.arrayBuffer()) : r.checkpoint.slice();
}

/** A short label naming what distinguishes a run. */
export function runLabel(s: StudioSetup): string {
  const model = s.model === 'mlp' ? `mlp ${s.hidden.join('-')}` : s.model;
  return `${model} ${s.activation} · ${s.optimizer} lr ${s.lr}${s.l2 ? ` L2 ${s.l2}` : ''}${s.batchNorm ? ' · BN' : ''}${s.dropout ? ` · dropout ${s.dropout}` : ''} · batch ${s.batchSize}`;
}
