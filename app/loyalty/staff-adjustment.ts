import { z } from "zod";
import {
  adjust,
  type LedgerWrite,
  type MemberLedgerState,
  type NegativeBalancePolicy,
} from "./ledger";

/** A staff member's correction as the admin form sends it. */
export const staffAdjustmentSchema = z.object({
  points: z
    .string()
    .trim()
    .regex(/^[+-]?\d+$/, "a whole number of points, e.g. 50 or -20")
    .transform(Number)
    .pipe(
      z
        .number()
        .refine((points) => points !== 0, "must add or remove points")
        .refine(
          (points) => Math.abs(points) <= 10_000_000,
          "at most 10,000,000 at once",
        ),
    ),
  reason: z
    .string()
    .trim()
    .min(3, "say why, so the shopper's history explains it")
    .max(500, "at most 500 characters"),
  /** The form's nonce: a second submit of the same form is the same adjustment. */
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/, "the form expired; reload the page"),
});

export type StaffAdjustmentForm = z.infer<typeof staffAdjustmentSchema>;

export type StaffAdjustmentInput = {
  key: string;
  points: number;
  reason: string;
  actor: string;
  policy: NegativeBalancePolicy;
  occurredAt: Date;
};

export type StaffAdjustmentResult =
  | { ok: true; write: LedgerWrite }
  | { ok: false; reason: "BELOW_ZERO_NOT_ALLOWED"; available: number };

/**
 * A manual adjustment is all or nothing. Under STOP_AT_ZERO a removal larger than the spendable
 * balance is refused instead of being recorded as partly uncollected (what a clawback does): the
 * staff member asked for a number, and silently taking less would misreport what they did.
 * ALLOW_NEGATIVE lets the balance go below zero as a debt, as refunds can.
 */
export function staffAdjust(
  state: MemberLedgerState,
  input: StaffAdjustmentInput,
): StaffAdjustmentResult {
  const available = state.balances.available;
  if (
    input.points < 0 &&
    input.policy === "STOP_AT_ZERO" &&
    available + input.points < 0
  ) {
    return { ok: false, reason: "BELOW_ZERO_NOT_ALLOWED", available };
  }
  return {
    ok: true,
    write: adjust(state, {
      key: input.key,
      points: input.points,
      reason: input.reason,
      actor: input.actor,
      policy: input.policy,
      occurredAt: input.occurredAt,
    }),
  };
}
