// Small helpers shared by the simulator's own tests.

/** Reads `value.a.b[0].c` from untyped JSON without casts; undefined when the path is missing. */
export function pick(value: unknown, ...path: Array<string | number>): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (
        typeof current !== "object" ||
        current === null ||
        Array.isArray(current)
      )
        return undefined;
      current = Object.getOwnPropertyDescriptor(current, key)?.value;
    }
  }
  return current;
}

/** A clock tests move by hand. */
export function fakeClock(start = Date.parse("2025-06-01T12:00:00Z")): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let at = start;
  return {
    now: () => at,
    advance: (ms: number) => {
      at += ms;
    },
  };
}
