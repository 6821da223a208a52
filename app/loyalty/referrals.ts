import { z } from "zod";
import { CODE_ALPHABET } from "./rewards";

/**
 * "Invite a friend": every member has a code; a friend's first order placed with it earns the
 * advocate points once the order is past the pending period, and the code itself is the friend's
 * discount at Shopify (docs/decisions/013-referrals-challenges-cashback.md).
 */
export const referralSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  advocatePoints: z.int().min(1).max(1_000_000).default(500),
  /** What the code takes off the friend's order. */
  friendDiscount: z
    .discriminatedUnion("kind", [
      z.object({
        kind: z.literal("PERCENTAGE"),
        percentage: z.int().min(1).max(100),
      }),
      z.object({
        kind: z.literal("FIXED_AMOUNT"),
        amountMinor: z.int().min(1).max(100_000_000),
      }),
    ])
    .default({ kind: "PERCENTAGE", percentage: 10 }),
  /** The friend's subtotal the code needs, in minor units; null = none. */
  friendMinimumSubtotalMinor: z.int().min(1).nullable().default(null),
  /** Referrals an advocate is rewarded for in any seven days; the ones beyond are blocked. */
  weeklyLimit: z.int().min(1).max(1_000).default(5),
});

export type ReferralSettings = z.infer<typeof referralSettingsSchema>;

/** A member's code, e.g. "REF-K7QM-2XWD-HP": 50 random bits, so codes cannot be guessed. */
export function referralCode(randomBytes: Uint8Array): string {
  if (randomBytes.length < 10) throw new RangeError("need 10 random bytes");
  const letters = Array.from(randomBytes.slice(0, 10), (byte) =>
    CODE_ALPHABET.charAt(byte % CODE_ALPHABET.length),
  ).join("");
  return `REF-${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8)}`;
}

export const referralCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^REF-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/);

const GMAIL_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/**
 * The mailbox an address delivers to, as far as can be known without asking the provider: case
 * and a `+tag` never change the mailbox, and Gmail also ignores dots in the local part.
 */
export function mailboxOf(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf("@");
  if (at <= 0) return lower;
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replaceAll(".", "");
    domain = "gmail.com";
  }
  return `${local}@${domain}`;
}

export interface PostalAddress {
  address1?: string | null;
  address2?: string | null;
  zip?: string | null;
  city?: string | null;
  countryCode?: string | null;
}

/**
 * One text for every way of writing the same delivery address (case, spacing, punctuation), or
 * null when there is too little to compare. Names are left out: a self-referral changes them first.
 */
export function addressIdentity(address: PostalAddress): string | null {
  const part = (value: string | null | undefined) =>
    (value ?? "")
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  const street = part(address.address1);
  const zip = part(address.zip).replaceAll(" ", "");
  if (!street || (!zip && !part(address.city))) return null;
  return [
    street,
    part(address.address2),
    zip,
    part(address.city),
    part(address.countryCode),
  ].join("|");
}

export type ReferralBlockReason =
  | "SELF_REFERRAL_CUSTOMER"
  | "SELF_REFERRAL_EMAIL"
  | "SELF_REFERRAL_NORMALISED_EMAIL"
  | "SELF_REFERRAL_ADDRESS"
  | "NOT_FIRST_ORDER"
  | "WEEKLY_LIMIT";

export interface ReferralFacts {
  advocate: { customerId: string; email: string | null };
  friend: { customerId: string | null; email: string | null };
  /** The friend's order ships to an address an order of the advocate shipped to. */
  sameAddressAsAdvocate: boolean;
  /** Orders of the friend (by account or e-mail) the app saw before this one. */
  friendEarlierOrders: number;
  /** The advocate's referrals not blocked in the seven days up to this order. */
  advocateReferralsThisWeek: number;
  weeklyLimit: number;
}

/** Whether the advocate may be rewarded for this order, or the first reason they may not. */
export function referralVerdict(
  facts: ReferralFacts,
): { ok: true } | { ok: false; reason: ReferralBlockReason } {
  const { advocate, friend } = facts;
  const block = (reason: ReferralBlockReason) =>
    ({ ok: false, reason }) as const;
  if (friend.customerId !== null && friend.customerId === advocate.customerId)
    return block("SELF_REFERRAL_CUSTOMER");
  if (friend.email && advocate.email) {
    if (
      friend.email.trim().toLowerCase() === advocate.email.trim().toLowerCase()
    )
      return block("SELF_REFERRAL_EMAIL");
    if (mailboxOf(friend.email) === mailboxOf(advocate.email))
      return block("SELF_REFERRAL_NORMALISED_EMAIL");
  }
  if (facts.sameAddressAsAdvocate) return block("SELF_REFERRAL_ADDRESS");
  if (facts.friendEarlierOrders > 0) return block("NOT_FIRST_ORDER");
  if (facts.advocateReferralsThisWeek >= facts.weeklyLimit)
    return block("WEEKLY_LIMIT");
  return { ok: true };
}
