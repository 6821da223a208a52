import { z } from "zod";

export const roundingModeSchema = z.enum(["DOWN", "NEAREST", "UP"]);

/** DOWN truncates, UP takes the ceiling, NEAREST rounds half up (2.5 → 3). */
export type RoundingMode = z.infer<typeof roundingModeSchema>;

/**
 * Exact integer division of non-negative bigints. Every rate in the domain goes through here so
 * no fraction is ever held in a float.
 */
export function divideRoundedBig(
  numerator: bigint,
  denominator: bigint,
  mode: RoundingMode,
): bigint {
  if (numerator < 0n)
    throw new RangeError(`numerator must be >= 0, got ${numerator}`);
  if (denominator <= 0n)
    throw new RangeError(`denominator must be > 0, got ${denominator}`);
  switch (mode) {
    case "DOWN":
      return numerator / denominator;
    case "UP":
      return (numerator + denominator - 1n) / denominator;
    case "NEAREST":
      // floor(n/d + 1/2) = floor((2n + d) / 2d): half up without leaving the integers.
      return (2n * numerator + denominator) / (2n * denominator);
  }
}

export function divideRounded(
  numerator: number,
  denominator: number,
  mode: RoundingMode,
): number {
  assertSafeInteger(numerator, "numerator");
  assertSafeInteger(denominator, "denominator");
  return toSafeNumber(
    divideRoundedBig(BigInt(numerator), BigInt(denominator), mode),
  );
}

/**
 * (a × b) / denominator with one rounding. The product goes through BigInt because points × minor
 * amounts can pass 2^53 long before the quotient does.
 */
export function mulDivRounded(
  a: number,
  b: number,
  denominator: number,
  mode: RoundingMode,
): number {
  assertSafeInteger(a, "a");
  assertSafeInteger(b, "b");
  assertSafeInteger(denominator, "denominator");
  return toSafeNumber(
    divideRoundedBig(BigInt(a) * BigInt(b), BigInt(denominator), mode),
  );
}

export function toSafeNumber(value: bigint): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`${value} does not fit in a safe integer`);
  }
  return result;
}

export function assertSafeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a safe integer, got ${value}`);
  }
}

export function assertNonNegativeInteger(value: number, name: string): void {
  assertSafeInteger(value, name);
  if (value < 0) throw new RangeError(`${name} must be >= 0, got ${value}`);
}

export function assertPositiveInteger(value: number, name: string): void {
  assertSafeInteger(value, name);
  if (value <= 0) throw new RangeError(`${name} must be > 0, got ${value}`);
}
