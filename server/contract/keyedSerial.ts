// Tasks of one key run one after another; tasks of different keys run side by side (one
// planning run per lesson, one consumer reconciliation per participant). A failed task does
// not stop the ones queued after it: its caller gets the failure. A key's entry goes when its
// last task has settled, so the map holds only keys with work.
export class KeyedSerial<K = string> {
  private readonly tails = new Map<K, Promise<void>>();

  run<T>(key: K, task: () => Promise<T> | T): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Settles once every task queued so far (for `key`, or for all keys) has. */
  async idle(key?: K): Promise<void> {
    await (key === undefined ? Promise.all(this.tails.values()) : this.tails.get(key));
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
