import type { Store } from './store.js';

/**
 * Values computed from the database, reused until the event log grows. Every change, by this process or another
 * one on the same file, appends an event in its own transaction, so the newest event id is a version of all the
 * data. The id and the value are read in one snapshot, so a value is never filed under a version older than it.
 */
export class EventVersionedCache<V> {
  private readonly entries = new Map<string, { version: number; value: V }>();

  constructor(
    private readonly store: Store,
    private readonly capacity = 256,
  ) {}

  get(key: string, compute: () => V): V {
    // Inside a write transaction the newest event may still be rolled back and its id reused: no caching there.
    if (this.store.db.inTransaction) return compute();
    const hit = this.entries.get(key);
    if (hit && hit.version === this.store.lastEventId()) {
      // Most recently used last, so the capacity evicts the pipeline nobody has read for longest.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    return this.store.readSnapshot(() => {
      const version = this.store.lastEventId();
      const value = compute();
      this.entries.delete(key);
      this.entries.set(key, { version, value });
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
      return value;
    });
  }
}
