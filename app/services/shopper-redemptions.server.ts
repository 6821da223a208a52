// A shopper turning points into a discount code, from the checkout or their account: the points are
// held in one transaction, the code is minted at Shopify outside any transaction (a shopper waits
// on it, and a database lock must never wait on the network), then the code's id is recorded.
// A code Shopify refuses releases the hold at once; a crash in between leaves a HELD redemption
// whose code the expiry sweep finds by name and deletes.
import { randomBytes } from "node:crypto";
import type { Tx } from "~/db/client.server";
import type { Balances } from "~/loyalty/ledger";
import {
  chooseOnSlider,
  redemptionCode,
  rewardTitle,
  rewardValue,
  type CombinesWith,
  type DiscountValue,
  type SliderRange,
} from "~/loyalty/rewards";
import { toDecimalString } from "~/loyalty/money";
import type { ProgramConfig } from "~/loyalty/program";
import { tierReviewNeeded } from "~/loyalty/tiers";
import {
  AdminUserErrors,
  type AdminClient,
} from "~/shopify/admin-client.server";
import {
  REDEMPTION_CODE_BASIC_CREATE_MUTATION,
  REDEMPTION_CODE_FREE_SHIPPING_CREATE_MUTATION,
} from "~/shopify/admin-operations";
import {
  lookUpRedemptionCode,
  redemptionCodeDeleteJob,
} from "./redemption-codes.server";
import { enqueue } from "./outbox.server";
import { shopWithProgram } from "./program.server";
import { releaseHeld, type ReleaseReason } from "./redemptions.server";
import {
  holdRedemption,
  shopifyFailure,
  shopperAdmin,
  spendingMember,
  type Prepared,
  type ShopperSpendDependencies,
  type SpendOutcome,
} from "./shopper-spend.server";
import { reviewMemberTier, tierCreditOf } from "./tiers.server";

export type RedemptionChoice = { rewardId: string } | { points: number };

export interface RedeemRequest {
  shop: string;
  customerId: string;
  choice: RedemptionChoice;
  /** The shopper's intent: a retry with the same key returns the same redemption. */
  idempotencyKey: string;
  checkoutToken: string | null;
  subtotalMinor: number | null;
  surface: "checkout" | "account";
  now: Date;
}

export interface RedemptionView {
  id: string;
  code: string;
  points: number;
  value: DiscountValue;
  currency: string;
  expiresAt: string;
}

export type RedeemOutcome =
  | SpendOutcome<
      { redemption: RedemptionView },
      "REWARD_NOT_FOUND" | "SHOPIFY_UNAVAILABLE"
    >
  | {
      ok: false;
      code: "REWARD_NOT_APPLICABLE";
      reason: "NOT_A_STEP" | "OUT_OF_RANGE" | "NO_SLIDER";
      range: SliderRange | null;
    };

interface RedemptionRow {
  id: string;
  memberId: string;
  status: "HELD" | "POSTED" | "RELEASED";
  code: string;
  discountId: string | null;
  points: number;
  value: DiscountValue;
  currency: string;
  expiresAt: Date;
  releaseReason: ReleaseReason | null;
}

interface MintTarget {
  customerGid: string;
  combinesWith: CombinesWith;
}

type PreparedCode = Prepared<
  RedeemOutcome,
  { row: RedemptionRow; target: MintTarget }
>;

export async function redeemPoints(
  deps: ShopperSpendDependencies,
  request: RedeemRequest,
): Promise<RedeemOutcome> {
  const prepared = await deps.sql.transaction((tx) => holdForCode(tx, request));
  if ("outcome" in prepared) return prepared.outcome;
  const { row } = prepared;
  try {
    const admin = await shopperAdmin(deps, request.shop);
    const discountId = await mintCode(admin, row, prepared.target);
    return await deps.sql.transaction(async (tx) => {
      const [recorded] = await tx.query<{ status: string }>(
        `UPDATE "Redemption" SET "discountId" = $3 WHERE id = $1 AND shop = $2
         RETURNING status`,
        [row.id, request.shop, discountId],
      );
      if (recorded?.status === "RELEASED") {
        // Removed while the code was being minted: the code goes too.
        await enqueue(
          tx,
          redemptionCodeDeleteJob(request.shop, row.code),
          request.now,
        );
        return { ok: false, code: "SHOPIFY_UNAVAILABLE" } as const;
      }
      return {
        ok: true,
        replayed: prepared.replayed,
        redemption: view(row),
      } as const;
    });
  } catch (thrown) {
    const error = shopifyFailure(thrown, "redemption code not created", {
      shop: request.shop,
      redemptionId: row.id,
    });
    await deps.sql.transaction(async (tx) => {
      await releaseHeld(
        tx,
        request.shop,
        row.id,
        "SHOPIFY_REFUSED",
        request.now,
      );
      // An unanswered request may still have created the code: the job deletes it if it exists.
      if (error.kind === "UNAVAILABLE" || error.kind === "THROTTLED")
        await enqueue(
          tx,
          redemptionCodeDeleteJob(request.shop, row.code),
          request.now,
        );
    });
    return { ok: false, code: "SHOPIFY_UNAVAILABLE" };
  }
}

/** The first transaction: replay, checks, replacing the checkout's previous code, the hold. */
async function holdForCode(
  tx: Tx,
  request: RedeemRequest,
): Promise<PreparedCode> {
  const found = await shopWithProgram(tx, request.shop);
  if (!found) return { outcome: { ok: false, code: "PROGRAM_NOT_FOUND" } };
  const { config } = found;
  const member = await spendingMember(tx, request.shop, request.customerId);
  const target: MintTarget = {
    customerGid: `gid://shopify/Customer/${request.customerId}`,
    combinesWith: config.redemption.combinesWith,
  };
  // Keys are the shopper's own: one shopper's key never finds another's redemption.
  const idempotencyKey = `${request.customerId}:${request.idempotencyKey}`;
  if (member) {
    const replay = await redemptionByKey(tx, request.shop, idempotencyKey);
    if (replay) return replayed(replay, target);
  }
  if (!config.enabled)
    return { outcome: { ok: false, code: "PROGRAM_DISABLED" } };

  const priced = priceChoice(config, request, member?.available ?? 0);
  if ("outcome" in priced) return priced;
  if (!member)
    return {
      outcome: { ok: false, code: "INSUFFICIENT_POINTS", available: 0 },
    };

  const memberRef = { shop: request.shop, memberId: member.id };
  if (request.checkoutToken !== null) {
    const previous = await tx.query<{ id: string; code: string }>(
      `SELECT id, code FROM "Redemption"
       WHERE shop = $1 AND "memberId" = $2 AND "checkoutToken" = $3 AND status = 'HELD'`,
      [request.shop, member.id, request.checkoutToken],
    );
    for (const old of previous) {
      await releaseHeld(tx, request.shop, old.id, "REPLACED", request.now);
      await enqueue(
        tx,
        redemptionCodeDeleteJob(request.shop, old.code),
        request.now,
      );
    }
  }
  const ttlMinutes =
    request.surface === "account"
      ? config.redemption.accountCodeTtlMinutes
      : config.redemption.checkoutCodeTtlMinutes;
  const code = redemptionCode(randomBytes(8));
  const held = await holdRedemption(
    tx,
    memberRef,
    {
      idempotencyKey,
      points: priced.points,
      valueMinor:
        priced.value.kind === "FIXED_AMOUNT" ? priced.value.amountMinor : 0,
      currency: config.currency,
      // Whole seconds, as Shopify keeps the code's end: the hold and the code end together.
      expiresAt: new Date(
        Math.floor(request.now.getTime() / 1000 + ttlMinutes * 60) * 1000,
      ),
      now: request.now,
      code,
      value: priced.value,
      rewardId: priced.rewardId,
      surface: request.surface,
      checkoutToken: request.checkoutToken,
    },
    (redemptionId) => redemptionById(tx, request.shop, redemptionId),
  );
  if ("outcome" in held) return held;
  if (held.replayed) return replayed(held.row, target);
  // Holding points moves no tier over lifetime points earned; the other rules count time too.
  if (
    tierReviewNeeded(
      config.tiers,
      member.tierHandle,
      member.lifetimeEarned,
      tierCreditOf(member),
      request.now,
    )
  )
    await reviewMemberTier(tx, memberRef, config, request.now);
  return { row: held.row, replayed: false, target };
}

function replayed(row: RedemptionRow, target: MintTarget): PreparedCode {
  if (row.status === "RELEASED" && row.releaseReason === "SHOPIFY_REFUSED")
    return { outcome: { ok: false, code: "SHOPIFY_UNAVAILABLE" } };
  // Held without a code id: the first request died before Shopify answered; minting again is safe
  // because the code's name is fixed (TAKEN is read as "already there").
  if (row.status === "HELD" && row.discountId === null)
    return { row, replayed: true, target };
  return { outcome: { ok: true, replayed: true, redemption: view(row) } };
}

function priceChoice(
  config: ProgramConfig,
  request: RedeemRequest,
  available: number,
):
  | { points: number; value: DiscountValue; rewardId: string | null }
  | { outcome: RedeemOutcome } {
  const pricing = {
    pointsPerUnit: config.redemption.pointsPerUnit,
    currency: config.currency,
  };
  if ("rewardId" in request.choice) {
    const { rewardId } = request.choice;
    const reward = config.redemption.rewards.find(
      (candidate) => candidate.id === rewardId,
    );
    if (!reward) return { outcome: { ok: false, code: "REWARD_NOT_FOUND" } };
    return {
      points: reward.points,
      value: rewardValue(reward, pricing),
      rewardId,
    };
  }
  const slider = config.redemption.slider;
  if (!slider)
    return {
      outcome: {
        ok: false,
        code: "REWARD_NOT_APPLICABLE",
        reason: "NO_SLIDER",
        range: null,
      },
    };
  const choice = chooseOnSlider(
    slider,
    request.choice.points,
    { available, subtotalMinor: request.subtotalMinor },
    pricing,
  );
  if (!choice.ok)
    return {
      outcome: {
        ok: false,
        code: "REWARD_NOT_APPLICABLE",
        reason: choice.reason,
        range: choice.range,
      },
    };
  return { points: choice.points, value: choice.value, rewardId: null };
}

/**
 * discountCode…Create for the redemption: single use, once per customer, for this customer only,
 * ending when the hold is due to be released. Returns the discount's id.
 */
async function mintCode(
  admin: AdminClient,
  row: RedemptionRow,
  target: MintTarget,
): Promise<string> {
  const common = {
    title: `Loyalty points: ${rewardTitle({}, row.value, row.currency)} (${row.points} points)`,
    code: row.code,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: row.expiresAt.toISOString(),
    usageLimit: 1,
    appliesOncePerCustomer: true,
    customerSelection: { customers: { add: [target.customerGid] } },
    combinesWith: target.combinesWith,
  };
  try {
    const payload =
      row.value.kind === "FREE_SHIPPING"
        ? await admin.mutate(
            REDEMPTION_CODE_FREE_SHIPPING_CREATE_MUTATION,
            {
              freeShippingCodeDiscount: {
                ...common,
                destination: { all: true },
                appliesOnOneTimePurchase: true,
              },
            },
            "discountCodeFreeShippingCreate",
          )
        : await admin.mutate(
            REDEMPTION_CODE_BASIC_CREATE_MUTATION,
            {
              basicCodeDiscount: {
                ...common,
                customerGets: {
                  items: { all: true },
                  value:
                    row.value.kind === "PERCENTAGE"
                      ? { percentage: row.value.percentage / 100 }
                      : {
                          discountAmount: {
                            amount: toDecimalString({
                              minor: row.value.amountMinor,
                              currency: row.currency,
                            }),
                            appliesOnEachItem: false,
                          },
                        },
                },
              },
            },
            "discountCodeBasicCreate",
          );
    const id = (payload as { codeDiscountNode?: { id?: string } | null })
      .codeDiscountNode?.id;
    if (!id) throw new Error("Shopify created the code without an id");
    return id;
  } catch (error) {
    if (
      error instanceof AdminUserErrors &&
      error.userErrors.some((userError) => userError.code === "TAKEN")
    ) {
      const existing = await lookUpRedemptionCode(admin, row.code);
      if (existing) return existing.id;
    }
    throw error;
  }
}

const redemptionColumns = `id, "memberId", status, code, "discountId", points, value, currency,
  "expiresAt", "releaseReason"`;

async function redemptionByKey(
  tx: Tx,
  shop: string,
  idempotencyKey: string,
): Promise<RedemptionRow | undefined> {
  const [row] = await tx.query<RedemptionRow>(
    `SELECT ${redemptionColumns} FROM "Redemption" WHERE shop = $1 AND "idempotencyKey" = $2`,
    [shop, idempotencyKey],
  );
  return row;
}

async function redemptionById(
  tx: Tx,
  shop: string,
  id: string,
): Promise<RedemptionRow | undefined> {
  const [row] = await tx.query<RedemptionRow>(
    `SELECT ${redemptionColumns} FROM "Redemption" WHERE shop = $1 AND id = $2`,
    [shop, id],
  );
  return row;
}

function view(row: RedemptionRow): RedemptionView {
  return {
    id: row.id,
    code: row.code,
    points: row.points,
    value: row.value,
    currency: row.currency,
    expiresAt: row.expiresAt.toISOString(),
  };
}

export type RemoveOutcome =
  | { ok: true; id: string; status: "RELEASED"; points: Balances }
  | { ok: false; code: "REDEMPTION_NOT_FOUND" | "ALREADY_USED" };

/**
 * The shopper took the code off (or asked for their points back in their account): the hold is
 * released now and the code deleted at Shopify through the outbox. Only the shopper's own
 * redemptions are found; removing twice answers the same.
 */
export async function removeRedemption(
  tx: Tx,
  request: {
    shop: string;
    customerId: string;
    redemptionId: string;
    now: Date;
  },
): Promise<RemoveOutcome> {
  const [row] = await tx.query<{ status: string; code: string }>(
    `SELECT r.status, r.code FROM "Redemption" r JOIN "Member" m ON m.id = r."memberId"
     WHERE r.shop = $1 AND r.id = $2 AND m."customerId" = $3 AND m.shop = $1
       AND r.kind = 'DISCOUNT_CODE'`,
    [request.shop, request.redemptionId, request.customerId],
  );
  if (!row) return { ok: false, code: "REDEMPTION_NOT_FOUND" };
  if (row.status === "POSTED") return { ok: false, code: "ALREADY_USED" };
  if (
    await releaseHeld(
      tx,
      request.shop,
      request.redemptionId,
      "REMOVED",
      request.now,
    )
  )
    await enqueue(
      tx,
      redemptionCodeDeleteJob(request.shop, row.code),
      request.now,
    );
  const [balances] = await tx.query<Balances>(
    `SELECT available, pending, held, "lifetimeEarned" FROM "Member"
     WHERE shop = $1 AND "customerId" = $2`,
    [request.shop, request.customerId],
  );
  return {
    ok: true,
    id: request.redemptionId,
    status: "RELEASED",
    points: balances ?? {
      available: 0,
      pending: 0,
      held: 0,
      lifetimeEarned: 0,
    },
  };
}
