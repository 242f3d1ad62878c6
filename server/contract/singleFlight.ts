// One call in flight per key: who asks while it runs gets the same promise (two classrooms
// joining at once get one lesson; a plan opened twice is loaded once; one respawn per worker
// slot). Nothing is cached: once the call settles, the next ask starts a new one.
export class SingleFlight<K, V> {
  private readonly pending = new Map<K, Promise<V>>();

  /** The call in flight for `key`, or `start()` (called at once, synchronously) as the new one. */
  run(key: K, start: () => Promise<V>): Promise<V> {
    const have = this.pending.get(key);
    if (have) return have;
    const p = start().finally(() => {
      if (this.pending.get(key) === p) this.pending.delete(key);
    });
    this.pending.set(key, p);
    return p;
  }

  get(key: K): Promise<V> | undefined {
    return this.pending.get(key);
  }

  /** Every call in flight. */
  inFlight(): Promise<V>[] {
    return [...this.pending.values()];
  }
}
