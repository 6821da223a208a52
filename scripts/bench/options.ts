/** A whole-number option (`--orders 10000`); `fallback` when it was not given. */
export function positiveInteger(
  name: string,
  raw: unknown,
  fallback: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer, got ${String(raw)}`);
  return value;
}
