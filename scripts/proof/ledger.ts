// "Ledger exact", in two halves. Internally: for every member, the cached balances and lots are
// what a rebuild from the entries and allocations alone gives. Externally: each member holds what
// the history says they should, computed here from the generated orders by the pure domain's
// rules (never from what the app stored), so a lost or doubled delivery shows as a difference.
import type { Database } from "../../app/db/client.server";
import {
  cancelClawback,
  evaluateEarn,
  refundClawback,
  type EarnRule,
} from "../../app/loyalty/earn-rule";
import type { MemberLedgerState } from "../../app/loyalty/ledger";
import { parseMoney } from "../../app/loyalty/money";
import { refundedBase } from "../../app/loyalty/refunds";
import {
  cachedMemberState,
  rebuildMemberState,
} from "../../app/services/ledger.server";
import type { History, HistoryOrder } from "../lib/demo-history";

/** Points the order leaves its customer with once everything about it has happened. */
function orderPoints(order: HistoryOrder, rule: EarnRule): number {
  const { input } = order;
  const lines = input.lines.map((line) => ({
    id: String(line.id),
    quantity: line.quantity,
    unitPriceMinor: parseMoney(line.price, input.currency).minor,
  }));
  const { points, snapshot } = evaluateEarn(
    {
      currency: input.currency,
      lines: lines.map((line) => ({
        quantity: line.quantity,
        unitPriceMinor: line.unitPriceMinor,
        discountMinor: 0,
        loyaltyDiscountMinor: 0,
        isGiftCard: false,
      })),
      shippingMinor: 0,
      taxMinor: 0,
      tipMinor: 0,
    },
    rule,
  );
  let clawedBack = 0;
  if (order.refund) {
    const base = refundedBase(
      lines.map((line) => ({
        lineItemId: line.id,
        quantity: line.quantity,
        baseMinor: line.quantity * line.unitPriceMinor,
      })),
      [],
      order.refund.refundLineItems.map((line) => ({
        lineItemId: String(line.line_item_id),
        quantity: line.quantity,
      })),
    );
    clawedBack += refundClawback(snapshot, base, 0);
  }
  if (order.cancelledAt) clawedBack += cancelClawback(snapshot, clawedBack);
  return points - clawedBack;
}

/** Each customer's points (available + pending + held) after the whole history, by customer id. */
export function expectedPoints(
  history: History,
  rule: EarnRule,
): Map<string, number> {
  const expected = new Map<string, number>();
  for (const order of history.orders) {
    const id = String(order.customer.id);
    expected.set(id, (expected.get(id) ?? 0) + orderPoints(order, rule));
  }
  return expected;
}

export interface LedgerCheck {
  members: number;
  /** Points the shop's members hold in all. */
  points: number;
  exact: boolean;
  /** "ledger exact", or what differs (the first few). */
  summary: string;
  differences: string[];
}

function comparable(state: MemberLedgerState): string {
  const lots = [...state.lots]
    .sort((a, b) => (a.lotKey < b.lotKey ? -1 : a.lotKey > b.lotKey ? 1 : 0))
    .map((lot) => [
      lot.lotKey,
      lot.source,
      lot.points,
      lot.remaining,
      lot.reversed,
      lot.earnedAt.getTime(),
      lot.availableAt.getTime(),
      lot.expiresAt?.getTime() ?? null,
      lot.matured,
      lot.expired,
    ]);
  const { available, pending, held, lifetimeEarned } = state.balances;
  return JSON.stringify([available, pending, held, lifetimeEarned, lots]);
}

/**
 * Checks every member of `shop`; with `expected`, also that each customer it names (and no other)
 * holds exactly that many points.
 */
export async function checkLedger(
  database: Database,
  shop: string,
  expected?: ReadonlyMap<string, number>,
): Promise<LedgerCheck> {
  const members = await database.sql.query<{
    id: string;
    customerId: string;
  }>(`SELECT id, "customerId" FROM "Member" WHERE shop = $1 ORDER BY id`, [
    shop,
  ]);
  const differences: string[] = [];
  const held = new Map<string, number>();
  let points = 0;
  // A few members at a time: each is two reads of its entries, lots and allocations.
  for (let first = 0; first < members.length; first += 8) {
    await Promise.all(
      members.slice(first, first + 8).map(async (member) => {
        const ref = { shop, memberId: member.id };
        const [cached, rebuilt] = await database.sql.transaction((tx) =>
          Promise.all([
            cachedMemberState(tx, ref),
            rebuildMemberState(tx, ref),
          ]),
        );
        const { available, pending } = cached.balances;
        const owned = available + pending + cached.balances.held;
        held.set(member.customerId, owned);
        points += owned;
        if (comparable(cached) !== comparable(rebuilt))
          differences.push(
            `customer ${member.customerId}: cached ${comparable(cached)} but the entries give ${comparable(rebuilt)}`,
          );
      }),
    );
  }
  if (expected) {
    for (const [customerId, points] of expected) {
      const actual = held.get(customerId);
      if (actual !== points)
        differences.push(
          `customer ${customerId}: holds ${actual ?? "nothing (no member)"}, the history gives ${points}`,
        );
    }
    for (const [customerId, actual] of held)
      if (!expected.has(customerId) && actual !== 0)
        differences.push(
          `customer ${customerId}: holds ${actual}, the history gives none`,
        );
  }
  const exact = differences.length === 0;
  return {
    members: members.length,
    points,
    exact,
    differences,
    summary: exact
      ? "ledger exact"
      : `ledger off for ${differences.length} member(s): ${differences.slice(0, 3).join("; ")}`,
  };
}
