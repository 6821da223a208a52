import { batchedReads } from "~/db/batched-reads.server";
import {
  jsonTimestamp,
  type Queryable,
  type SqlDatabase,
} from "~/db/sql.server";
import { evaluateEarn } from "~/loyalty/earn-rule";
import { upcomingExpiries, type ExpiringPoints } from "~/loyalty/engagement";
import {
  applyWrite,
  settleDue,
  type Balances,
  type EntryKind,
  type MemberLedgerState,
} from "~/loyalty/ledger";
import type { ProgramConfig } from "~/loyalty/program";
import {
  rewardTitle,
  rewardValue,
  sliderRange,
  type DiscountValue,
  type SliderRange,
} from "~/loyalty/rewards";
import {
  storeCreditOffer,
  type StoreCreditOffer,
} from "~/loyalty/store-credit";
import { tierStanding, tierTag, type TierStanding } from "~/loyalty/tiers";
import { earnModifiers } from "./accrual.server";
import { lotFromJson, type LotJson } from "./ledger.server";
import { readProgramConfig } from "./program.server";
import { qualifyingTotalOf } from "./tiers.server";
import {
  challengeStandings,
  type ChallengeStanding,
} from "./challenges.server";
import { memberReferralCode, referralUrl } from "./referrals.server";

export interface ShopperReward {
  id: string;
  title: string;
  points: number;
  value: DiscountValue;
  affordable: boolean;
}

export interface OpenRedemption {
  id: string;
  code: string | null;
  points: number;
  value: DiscountValue | null;
  expiresAt: string;
}

export type ActivityKind =
  | "EARN"
  | "REDEEM"
  | "STORE_CREDIT"
  | "RELEASE"
  | "REFUND"
  | "CANCEL"
  | "ADJUST"
  | "EXPIRE"
  | "BONUS"
  | "TIER_REWARD";

export interface RecentActivity {
  kind: ActivityKind;
  points: number;
  occurredAt: string;
  orderId: string | null;
  orderName: string | null;
}

export interface MemberSummary {
  currency: string;
  enabled: boolean;
  points: Balances;
  tier: (TierStanding & { tag: string }) | null;
  earnEstimate: { points: number } | null;
  rewards: ShopperReward[];
  slider: SliderRange | null;
  /** Points into store credit as this shopper can convert them now; null when not offered. */
  storeCredit: StoreCreditOffer | null;
  openRedemptions: OpenRedemption[];
  /** Of `points.held`, what waits for Shopify to confirm a store credit the shopper asked for. */
  heldForStoreCredit: number;
  recent: RecentActivity[];
  /** The member's invite-a-friend code and link; null when referrals are off or not a member yet. */
  referral: { code: string; url: string } | null;
  challenges: ChallengeStanding[];
  /** YYYY-MM-DD, as the shopper or the import set it. */
  birthday: string | null;
  /** The next expiry dates with the points expiring on each, soonest first (at most three). */
  expiring: ExpiringPoints[];
}

const ZERO_POINTS: Balances = {
  available: 0,
  pending: 0,
  held: 0,
  lifetimeEarned: 0,
};

const RECENT_ENTRIES = 10;

/** The shop's program, and the member's columns: null when the shopper is not a member yet. */
interface SummaryRow extends Balances {
  timezone: string;
  config: string;
  memberId: string | null;
  redactedAt: Date | null;
  tierHandle: string | null;
  referralCode: string | null;
  birthday: string | null;
  lots: LotJson[] | null;
  open: Array<Omit<OpenRedemption, "expiresAt"> & { expiresAt: string }> | null;
  heldForStoreCredit: number | null;
  recent: RecentEntryRow[] | null;
}

/** One of the member's latest entries, with the name of its order and the kind of its redemption. */
interface RecentEntryRow {
  kind: EntryKind;
  key: string;
  available: number;
  pending: number;
  orderId: string | null;
  orderName: string | null;
  refundId: string | null;
  redemptionKind: string | null;
  occurredAt: string;
}

interface ShopperKey {
  shop: string;
  customerId: string;
  now: Date;
}

/**
 * The program and the member's columns for each shopper, in the order asked; undefined for a shop
 * without a program. Every key carries its own shop, and a member is only ever joined within it.
 */
async function summaryRows(
  tx: Queryable,
  keys: readonly ShopperKey[],
): Promise<Array<SummaryRow | undefined>> {
  const rows = await tx.query<SummaryRow & { position: number }>(
    `SELECT k.position, s.timezone, s.config::text AS config,
       m.id AS "memberId", m."redactedAt", m."tierHandle", m."referralCode", m.birthday,
       m.available, m.pending, m.held,
       m."lifetimeEarned",
       (SELECT json_agg(l) FROM (
          SELECT "lotKey", source, points, remaining, reversed, "earnedAt", "availableAt",
                 "expiresAt", matured, expired
          FROM "Lot" WHERE shop = m.shop AND "memberId" = m.id AND (remaining > 0 OR NOT matured)
        ) l) AS lots,
       (SELECT json_agg(r ORDER BY r."expiresAt") FROM (
          SELECT id, code, points, value, "expiresAt" FROM "Redemption"
          WHERE shop = m.shop AND "memberId" = m.id AND status = 'HELD' AND "expiresAt" > k.now
            AND kind = 'DISCOUNT_CODE'
        ) r) AS open,
       (SELECT sum(points)::int FROM "Redemption"
        WHERE shop = m.shop AND "memberId" = m.id AND status = 'HELD' AND kind = 'STORE_CREDIT'
       ) AS "heldForStoreCredit",
       (SELECT json_agg(e) FROM (
          SELECT x.kind, x."idempotencyKey" AS key, x."deltaAvailable" AS available,
                 x."deltaPending" AS pending, x."orderId", o.name AS "orderName", x."refundId",
                 r.kind AS "redemptionKind", x."occurredAt"
          FROM "LedgerEntry" x
          LEFT JOIN "OrderRecord" o ON o.shop = x.shop AND o."orderId" = x."orderId"
          LEFT JOIN "Redemption" r ON r.id = x."redemptionId" AND r.shop = x.shop
          WHERE x."memberId" = m.id AND x.shop = m.shop
            AND x.kind NOT IN ('MATURATION', 'REDEMPTION_POST')
          ORDER BY x.id DESC LIMIT ${RECENT_ENTRIES}
        ) e) AS recent
     FROM json_to_recordset($1::json) AS k(position int, shop text, "customerId" text, now timestamp)
     JOIN "Shop" s ON s.shop = k.shop
     LEFT JOIN "Member" m ON m.shop = s.shop AND m."customerId" = k."customerId"`,
    [keys.map((key, position) => ({ position, ...key }))],
  );
  const byPosition = new Map(rows.map((row) => [row.position, row]));
  return keys.map((_, position) => byPosition.get(position));
}

const summaryReaders = new WeakMap<
  Queryable,
  (key: ShopperKey) => Promise<SummaryRow | undefined>
>();

/** Summaries asked for on the same connection pool in the same moment are read in one statement. */
function summaryRow(tx: Queryable, key: ShopperKey) {
  let read = summaryReaders.get(tx);
  if (!read) {
    read = batchedReads((keys) => summaryRows(tx, keys));
    summaryReaders.set(tx, read);
  }
  return read(key);
}

/**
 * What a shopper sees of their points at checkout, after the order and in their account. Read-only:
 * a shopper who is not a member yet (or whose data was redacted) sees zeros and no member is
 * created. Null when the shop has no program.
 *
 * The cached balances only move when something is written, so lots that have matured or expired
 * since the member's last write are settled here in memory as of `now`: the shopper is shown what
 * a hold made now could spend, without this read taking the member's lock or writing entries.
 * One statement, shared with the shoppers asking at the same moment: the program with the member,
 * their lots, open codes and latest entries. One more for running challenges or a tier over a
 * window other than lifetime, and a member's first look with referrals on gives them their code
 * (the one write a summary can make).
 */
export async function memberSummary(
  database: SqlDatabase,
  shop: string,
  customerId: string,
  now: Date = new Date(),
  cart: { subtotalMinor: number | null } = { subtotalMinor: null },
): Promise<MemberSummary | null> {
  const row = await summaryRow(database, { shop, customerId, now });
  if (!row) return null;
  const config = readProgramConfig(row.config);
  // A redacted member's entries stay for the arithmetic, but the shopper is no longer linked to them.
  const member = row.memberId !== null && row.redactedAt === null ? row : null;
  const settled = member ? settledState(member, now) : null;
  const points = settled?.balances ?? ZERO_POINTS;
  const tierHandle = member?.tierHandle ?? null;
  const qualifying = member?.memberId
    ? await qualifyingTotalOf(
        database,
        {
          shop,
          memberId: member.memberId,
          lifetimeEarned: points.lifetimeEarned,
        },
        config.tiers,
        now,
        row.timezone,
      )
    : 0;
  const standing = tierStanding(config.tiers, tierHandle, qualifying);
  const pricing = {
    pointsPerUnit: config.redemption.pointsPerUnit,
    currency: config.currency,
  };
  const memberRef = member?.memberId
    ? { shop, memberId: member.memberId }
    : null;
  const code =
    memberRef && config.enabled && config.growth.referrals.enabled
      ? (member?.referralCode ??
        (await database.transaction((tx) =>
          memberReferralCode(tx, memberRef, config, now),
        )))
      : null;
  return {
    currency: config.currency,
    enabled: config.enabled,
    points,
    tier: standing && {
      ...standing,
      tag: tierTag(config.tiers.tagPrefix, standing.handle),
    },
    earnEstimate:
      cart.subtotalMinor === null
        ? null
        : {
            points: estimateEarn(
              config,
              standing?.handle ?? null,
              cart.subtotalMinor,
            ),
          },
    rewards: config.redemption.rewards.map((reward) => {
      const value = rewardValue(reward, pricing);
      return {
        id: reward.id,
        title: rewardTitle(reward, value, config.currency),
        points: reward.points,
        value,
        affordable: points.available >= reward.points,
      };
    }),
    slider: config.redemption.slider
      ? sliderRange(
          config.redemption.slider,
          { available: points.available, subtotalMinor: cart.subtotalMinor },
          pricing,
        )
      : null,
    storeCredit: config.enabled
      ? storeCreditOffer(
          config.growth.storeCredit,
          points.available,
          config.redemption,
          config.currency,
        )
      : null,
    openRedemptions: (member?.open ?? []).map((open) => ({
      ...open,
      expiresAt: jsonTimestamp(open.expiresAt).toISOString(),
    })),
    heldForStoreCredit: member?.heldForStoreCredit ?? 0,
    recent: (member?.recent ?? []).map((entry) => ({
      kind: activityKind(entry),
      points: entry.available + entry.pending,
      occurredAt: jsonTimestamp(entry.occurredAt).toISOString(),
      orderId: entry.orderId,
      orderName: entry.orderName,
    })),
    referral: code === null ? null : { code, url: referralUrl(shop, code) },
    challenges: config.enabled
      ? await challengeStandings(
          database,
          memberRef,
          config.growth.challenges,
          now,
        )
      : [],
    birthday: member?.birthday ?? null,
    expiring: settled ? upcomingExpiries(settled.lots, now, row.timezone) : [],
  };
}

function settledState(member: SummaryRow, now: Date): MemberLedgerState {
  const state: MemberLedgerState = {
    balances: {
      available: member.available,
      pending: member.pending,
      held: member.held,
      lifetimeEarned: member.lifetimeEarned,
    },
    lots: (member.lots ?? []).map(lotFromJson),
  };
  return applyWrite(state, settleDue(state, now));
}

/**
 * The points a cart of `subtotalMinor` would earn with the member's tier perks: the subtotal is
 * after discounts and before shipping and taxes, which is what the default rule earns on.
 */
function estimateEarn(
  config: ProgramConfig,
  tierHandle: string | null,
  subtotalMinor: number,
): number {
  if (!config.enabled) return 0;
  return evaluateEarn(
    {
      currency: config.currency,
      lines: [
        {
          quantity: 1,
          unitPriceMinor: subtotalMinor,
          discountMinor: 0,
          loyaltyDiscountMinor: 0,
          isGiftCard: false,
        },
      ],
      shippingMinor: 0,
      taxMinor: 0,
      tipMinor: 0,
    },
    config.earn,
    earnModifiers(config, tierHandle),
  ).points;
}

/**
 * The shopper's word for an entry: the key tells adjustments apart, the redemption's kind a
 * discount code from store credit.
 */
function activityKind({
  kind,
  key,
  refundId,
  redemptionKind,
}: RecentEntryRow): ActivityKind {
  switch (kind) {
    case "EARN":
      return "EARN";
    case "EARN_REVERSAL":
      return refundId ? "REFUND" : "CANCEL";
    case "REDEMPTION_HOLD":
      return redemptionKind === "STORE_CREDIT" ? "STORE_CREDIT" : "REDEEM";
    case "REDEMPTION_RELEASE":
      return "RELEASE";
    case "EXPIRY":
      return "EXPIRE";
    default:
      if (key.endsWith(":signup") || /^(referral|challenge):/.test(key))
        return "BONUS";
      if (/^tier:.*:reward:/.test(key)) return "TIER_REWARD";
      if (refundId) return "REFUND";
      return "ADJUST";
  }
}
