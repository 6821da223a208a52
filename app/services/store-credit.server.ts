// Cashback: points turned into Shopify store credit (docs/decisions/013-referrals-challenges-cashback.md).
// The same two phases as a discount code: the points are held in one transaction, Shopify is
// asked outside any transaction, and the hold is posted (the credit is the spend: there is no
// order to wait for) or released when Shopify refused. Shopify takes no idempotency key for
// storeCreditAccountCredit, so the app makes sure it is asked at most once per redemption: the
// send is claimed in the database before the request leaves, and a redemption whose request went
// unanswered is never sent again; it stays held until someone confirms what Shopify did.
import type { Tx } from "~/db/client.server";
import { toDecimalString } from "~/loyalty/money";
import { chooseStoreCredit } from "~/loyalty/store-credit";
import { STORE_CREDIT_CREDIT_MUTATION } from "~/shopify/admin-operations";
import type { LoyaltyStoreCreditCreditMutationVariables } from "~/types/admin.generated";
import { shopWithProgram } from "./program.server";
import {
  refreshMember,
  releaseHeld,
  settleRedemption,
} from "./redemptions.server";
import {
  holdRedemption,
  shopifyFailure,
  shopperAdmin,
  spendingMember,
  type Prepared,
  type ShopperSpendDependencies,
  type SpendOutcome,
} from "./shopper-spend.server";

export interface StoreCreditRequest {
  shop: string;
  customerId: string;
  points: number;
  /** The shopper's intent: a retry with the same key returns the same conversion. */
  idempotencyKey: string;
  now: Date;
}

export interface StoreCreditView {
  id: string;
  points: number;
  amountMinor: number;
  currency: string;
  status: "POSTED" | "HELD";
}

export type StoreCreditOutcome =
  | SpendOutcome<
      { credit: StoreCreditView },
      "STORE_CREDIT_OFF" | "SHOPIFY_REFUSED"
    >
  | {
      ok: false;
      code: "NOT_APPLICABLE";
      reason: "NOT_A_STEP" | "OUT_OF_RANGE" | "WORTH_NOTHING";
    }
  /** Shopify was asked and did not answer: the points stay held, and nothing is sent again. */
  | { ok: false; code: "UNCONFIRMED"; credit: StoreCreditView };

interface CreditRow {
  id: string;
  status: "HELD" | "POSTED" | "RELEASED";
  points: number;
  valueMinor: string;
  currency: string;
  creditSentAt: Date | null;
}

const view = (row: CreditRow, status: "POSTED" | "HELD"): StoreCreditView => ({
  id: row.id,
  points: row.points,
  amountMinor: Number(row.valueMinor),
  currency: row.currency,
  status,
});

export async function convertToStoreCredit(
  deps: ShopperSpendDependencies,
  request: StoreCreditRequest,
): Promise<StoreCreditOutcome> {
  const prepared = await deps.sql.transaction((tx) =>
    holdForCredit(tx, request),
  );
  if ("outcome" in prepared) return prepared.outcome;
  const { row, replayed } = prepared;

  // Claimed in its own transaction, committed before the request leaves: of two requests racing
  // with one key, or a retry after a crash, only the one that claims it sends.
  const [claimed] = await deps.sql.query<{ id: string }>(
    `UPDATE "Redemption" SET "creditSentAt" = $3
     WHERE id = $1 AND shop = $2 AND status = 'HELD' AND "creditSentAt" IS NULL
     RETURNING id`,
    [row.id, request.shop, request.now],
  );
  if (!claimed)
    return { ok: false, code: "UNCONFIRMED", credit: view(row, "HELD") };

  const variables: LoyaltyStoreCreditCreditMutationVariables = {
    id: `gid://shopify/Customer/${request.customerId}`,
    creditInput: {
      creditAmount: {
        amount: toDecimalString({
          minor: Number(row.valueMinor),
          currency: row.currency,
        }),
        currencyCode:
          row.currency as LoyaltyStoreCreditCreditMutationVariables["creditInput"]["creditAmount"]["currencyCode"],
      },
    },
  };
  let transactionId: string | null;
  try {
    const admin = await shopperAdmin(deps, request.shop);
    const payload = (await admin.mutate(
      STORE_CREDIT_CREDIT_MUTATION,
      variables,
      "storeCreditAccountCredit",
    )) as { storeCreditAccountTransaction?: { id?: string } | null };
    transactionId = payload.storeCreditAccountTransaction?.id ?? null;
  } catch (thrown) {
    const error = shopifyFailure(thrown, "store credit not given", {
      shop: request.shop,
      redemptionId: row.id,
    });
    // Refused (userErrors, a rejected or throttled request) means nothing was credited; a
    // request without an answer may have been, so its points stay held.
    if (error.kind === "UNAVAILABLE")
      return { ok: false, code: "UNCONFIRMED", credit: view(row, "HELD") };
    await deps.sql.transaction((tx) =>
      releaseHeld(tx, request.shop, row.id, "SHOPIFY_REFUSED", request.now),
    );
    return { ok: false, code: "SHOPIFY_REFUSED" };
  }
  await deps.sql.transaction(async (tx) => {
    await tx.query(
      `UPDATE "Redemption" SET "creditTransactionId" = $3 WHERE id = $1 AND shop = $2`,
      [row.id, request.shop, transactionId],
    );
    await settleRedemption(tx, request.shop, row.id, "POST", request.now);
    await refreshMember(tx, request.shop, row.id, request.now);
  });
  return { ok: true, replayed, credit: view(row, "POSTED") };
}

type PreparedCredit = Prepared<StoreCreditOutcome, { row: CreditRow }>;

const creditColumns = `id, status, points, "valueMinor", currency, "creditSentAt"`;

async function holdForCredit(
  tx: Tx,
  request: StoreCreditRequest,
): Promise<PreparedCredit> {
  const found = await shopWithProgram(tx, request.shop);
  if (!found) return { outcome: { ok: false, code: "PROGRAM_NOT_FOUND" } };
  const { config } = found;
  // Keys are the shopper's own, and apart from their discount-code keys.
  const idempotencyKey = `${request.customerId}:store-credit:${request.idempotencyKey}`;
  const [replay] = await tx.query<CreditRow>(
    `SELECT ${creditColumns} FROM "Redemption"
     WHERE shop = $1 AND "idempotencyKey" = $2 AND kind = 'STORE_CREDIT'`,
    [request.shop, idempotencyKey],
  );
  if (replay) return replayed(replay);
  if (!config.enabled)
    return { outcome: { ok: false, code: "PROGRAM_DISABLED" } };
  if (!config.growth.storeCredit.enabled)
    return { outcome: { ok: false, code: "STORE_CREDIT_OFF" } };
  const choice = chooseStoreCredit(
    config.growth.storeCredit,
    request.points,
    config.redemption,
    config.currency,
  );
  if (!choice.ok)
    return {
      outcome: { ok: false, code: "NOT_APPLICABLE", reason: choice.reason },
    };
  const member = await spendingMember(tx, request.shop, request.customerId);
  if (!member)
    return {
      outcome: { ok: false, code: "INSUFFICIENT_POINTS", available: 0 },
    };
  return holdRedemption(
    tx,
    { shop: request.shop, memberId: member.id },
    {
      idempotencyKey,
      points: choice.points,
      valueMinor: choice.amountMinor,
      currency: config.currency,
      // Nothing expires it; the column is when it was asked for.
      expiresAt: request.now,
      now: request.now,
      value: { kind: "STORE_CREDIT", amountMinor: choice.amountMinor },
      surface: "account",
      kind: "STORE_CREDIT",
    },
    async (redemptionId) => {
      const [row] = await tx.query<CreditRow>(
        `SELECT ${creditColumns} FROM "Redemption" WHERE shop = $1 AND id = $2`,
        [request.shop, redemptionId],
      );
      return row;
    },
  );
}

function replayed(row: CreditRow): PreparedCredit {
  switch (row.status) {
    case "POSTED":
      return {
        outcome: { ok: true, replayed: true, credit: view(row, "POSTED") },
      };
    case "RELEASED":
      return { outcome: { ok: false, code: "SHOPIFY_REFUSED" } };
    case "HELD":
      // Never sent (the first request died before asking Shopify): this one may send it.
      return row.creditSentAt === null
        ? { row, replayed: true }
        : {
            outcome: {
              ok: false,
              code: "UNCONFIRMED",
              credit: view(row, "HELD"),
            },
          };
  }
}
