/**
 * Answers the reads asked for in one turn of the event loop with one call of `load`, which
 * returns one value per key, in the order of the keys. On a busy checkout many shoppers ask for
 * their summary at once, and one statement for all of them costs one round trip instead of one
 * each: the socket write that wakes PostgreSQL is a large share of a lookup's CPU
 * (docs/decisions/016-hot-paths.md). A lone read waits only for the end of the current turn.
 * A failed load fails every read of its batch, and no other.
 */
export function batchedReads<Key, Value>(
  load: (keys: readonly Key[]) => Promise<readonly Value[]>,
  maxBatch = 64,
): (key: Key) => Promise<Value> {
  const waiting: Array<{
    key: Key;
    resolve: (value: Value) => void;
    reject: (error: unknown) => void;
  }> = [];

  const run = async (batch: typeof waiting) => {
    try {
      const values = await load(batch.map((read) => read.key));
      if (values.length !== batch.length)
        throw new Error(
          `a batched read returned ${values.length} values for ${batch.length} keys`,
        );
      batch.forEach((read, index) => read.resolve(values[index] as Value));
    } catch (error) {
      for (const read of batch) read.reject(error);
    }
  };

  const flush = () => {
    const batch = waiting.splice(0, maxBatch);
    if (waiting.length > 0) setImmediate(flush);
    void run(batch);
  };

  return (key) =>
    new Promise<Value>((resolve, reject) => {
      if (waiting.push({ key, resolve, reject }) === 1) setImmediate(flush);
    });
}
