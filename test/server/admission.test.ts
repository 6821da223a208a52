import { describe, expect, it } from "vitest";
import { Admission } from "../../server/admission";

/** A piece of work that ends when the test says so. */
function pending() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { done, finish, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("the admission gate in front of the direct routes", () => {
  it("runs at most its limit at once and lets the others in as places free, first come first served", async () => {
    const gate = new Admission(2);
    const works = [pending(), pending(), pending(), pending()];
    const started: number[] = [];
    const waited: number[] = [];
    const runs = works.map((work, index) =>
      gate.run(async (waitedMs) => {
        started.push(index);
        waited[index] = waitedMs;
        await work.done;
        return index;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);

    works[1]?.finish();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    works[0]?.finish();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);

    works[2]?.finish();
    works[3]?.finish();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(waited[0]).toBe(0);
    expect(waited[1]).toBe(0);
    expect(waited[2]).toBeGreaterThan(0);
    expect(waited[3]).toBeGreaterThan(0);
  });

  it("frees the place of work that failed, and passes the failure on", async () => {
    const gate = new Admission(1);
    const failing = pending();
    const first = gate.run(() => failing.done);
    const second = gate.run(async () => "ran");
    failing.fail(new Error("database gone"));
    await expect(first).rejects.toThrow("database gone");
    expect(await second).toBe("ran");
  });

  it("refuses a limit that would admit nothing", () => {
    expect(() => new Admission(0)).toThrow(/positive integer/);
  });
});
