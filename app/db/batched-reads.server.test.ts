import { describe, expect, it } from "vitest";
import { batchedReads } from "./batched-reads.server";

/** A load that doubles its keys and remembers the batches it was given. */
function doubling(fail?: (keys: readonly number[]) => boolean) {
  const batches: number[][] = [];
  const read = batchedReads<number, number>(async (keys) => {
    batches.push([...keys]);
    if (fail?.(keys)) throw new Error(`no luck with ${keys.join(",")}`);
    return keys.map((key) => key * 2);
  }, 3);
  return { read, batches };
}

describe("batched reads", () => {
  it("answers reads asked for in the same turn with one load, each with its own value", async () => {
    const { read, batches } = doubling();
    await expect(Promise.all([read(1), read(2), read(3)])).resolves.toEqual([
      2, 4, 6,
    ]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("sends a read asked for after a batch left with the next one", async () => {
    const { read, batches } = doubling();
    const first = read(1);
    await first;
    await expect(read(5)).resolves.toBe(10);
    expect(batches).toEqual([[1], [5]]);
  });

  it("splits a turn's reads into batches of the largest size", async () => {
    const { read, batches } = doubling();
    const values = await Promise.all([1, 2, 3, 4, 5].map(read));
    expect(values).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("fails every read of a failed batch, and those of the next batch still succeed", async () => {
    const { read } = doubling((keys) => keys.includes(2));
    const results = await Promise.allSettled([1, 2, 3, 4].map(read));
    expect(results.map((result) => result.status)).toEqual([
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect(results[3]).toEqual({ status: "fulfilled", value: 8 });
  });

  it("fails the reads when the load answers a different number of values", async () => {
    const read = batchedReads<number, number>(async () => [1]);
    await expect(Promise.all([read(1), read(2)])).rejects.toThrow(
      "a batched read returned 1 values for 2 keys",
    );
  });
});
