// Shop B's shoppers and staff share nothing with shop A's. Tokens that are expired, not yet valid,
// minted for another app or signed with another secret, and good tokens of shop A naming shop B's
// customer or B's records, go to every shopper endpoint and to the admin's member routes: each is
// refused, or answered with shop A's own (empty) view, and nothing of B is read or moved.
import { randomUUID } from "node:crypto";
import type { SessionTokenFaults } from "../../../simulator/session-tokens";
import { formatNumber } from "../../bench/report";
import { adminDataRequest } from "../../lib/admin-request";
import { rowsOfShop } from "../../lib/database-scan";
import { historyProgram, oneLineOrder } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { redeemReward, shopperCall, shopperToken } from "../shopper";
import { proofApp, send, webhookRequest } from "../stack";

const badTokens: Record<string, SessionTokenFaults> = {
  expired: { expired: true },
  "not yet valid": { notYetValid: true },
  "another app's audience": { audience: "another-app-api-key" },
  "wrong signature": { signingSecret: "another-app-secret" },
};

interface Attempt {
  label: string;
  status: number;
  text: string;
  /** What a refusal looks like here; a 2xx is only right where `allow2xx` says. */
  allow2xx?: boolean;
}

export const isolation: Scenario = {
  name: "8 isolation",
  async run({ stack, now }) {
    const shopA = "proof-iso-a.myshopify.com";
    const shopB = "proof-iso-b.myshopify.com";
    const a = { id: 730_001, email: "ada.isolated@example.com" };
    const b = { id: 730_002, email: "bea.isolated@example.com" };
    for (const [shop, customer, price] of [
      [shopA, a, "1000.00"],
      [shopB, b, "1234.00"],
    ] as const) {
      await stack.openShop(shop, historyProgram(now));
      stack.simulator.addCustomer(shop, customer);
      const id = customer.id * 10;
      const report = await send(stack.app, [
        webhookRequest(shop, "orders/paid", {
          payload: oneLineOrder({ id, customer, price, placedAt: now }),
        }),
      ]);
      if (report.ok2xx !== 1) throw new Error(`no points for ${shop}`);
    }
    const held = await redeemReward(stack.app.url, shopB, b.id);
    if (held.status !== 201) throw new Error(`B's hold: ${held.text}`);
    const redemptionB = String(held.body?.id);
    const [memberB] = await stack.database.sql.query<{ id: string }>(
      `SELECT id FROM "Member" WHERE shop = $1 AND "customerId" = $2`,
      [shopB, String(b.id)],
    );
    if (!memberB) throw new Error("shop B has no member");
    const beforeB = await rowsOfShop(stack.database.prisma, shopB);
    const ledgerBefore = await checkLedger(stack.database, shopB);

    const attempts: Attempt[] = [];
    const shopperEndpoints = (token: string, label: string) => [
      shopperCall(stack.app.url, "GET", "/api/checkout/loyalty", token).then(
        (answer) => ({ label: `${label}: GET loyalty`, ...answer }),
      ),
      shopperCall(stack.app.url, "POST", "/api/checkout/redemptions", token, {
        rewardId: "fixed-500",
        idempotencyKey: randomUUID(),
      }).then((answer) => ({ label: `${label}: POST redemption`, ...answer })),
      shopperCall(
        stack.app.url,
        "DELETE",
        `/api/checkout/redemptions/${redemptionB}`,
        token,
      ).then((answer) => ({
        label: `${label}: DELETE B's redemption`,
        ...answer,
      })),
    ];
    for (const [label, faults] of Object.entries(badTokens)) {
      attempts.push(
        ...(await Promise.all(
          shopperEndpoints(
            shopperToken(shopA, a.id, faults),
            `A's token, ${label}`,
          ),
        )),
        ...(await Promise.all(
          shopperEndpoints(
            shopperToken(shopB, b.id, faults),
            `B's token, ${label}`,
          ),
        )),
      );
    }
    // Good tokens of shop A: its view of B's customer is A's (no such member), and B's
    // redemption is not A's to remove.
    const [loyalty, redeem, removal] = await Promise.all(
      shopperEndpoints(
        shopperToken(shopA, b.id),
        "A's token naming B's customer",
      ),
    );
    if (loyalty) attempts.push({ ...loyalty, allow2xx: true });
    if (redeem) attempts.push(redeem);
    if (removal) attempts.push(removal);
    attempts.push(
      ...(await Promise.all(
        shopperEndpoints(shopperToken(shopA, a.id), "A's own token").slice(2),
      )),
    );

    const admin = (
      shop: string,
      label: string,
      route: { path: string; id: string },
      init: Parameters<typeof adminDataRequest>[3] = {},
      allow2xx = false,
    ) =>
      adminDataRequest(
        { url: stack.app.url, ...proofApp },
        shop,
        route,
        init,
      ).then(async (response) => ({
        label,
        status: response.status,
        text: await response.text(),
        allow2xx,
      }));
    const member = {
      path: `/app/members/${memberB.id}`,
      id: "routes/app.members.$id",
    };
    const exported = {
      path: `/app/members/${memberB.id}/export`,
      id: "routes/app.members.$id.export",
    };
    const adjustment = {
      method: "POST",
      form: { points: "500", reason: "Not my member", requestId: randomUUID() },
    };
    attempts.push(
      await admin(shopA, "A's admin: B's member page", member),
      await admin(shopA, "A's admin: adjust B's member", member, adjustment),
      await admin(shopA, "A's admin: export B's member", exported),
      await admin(
        shopA,
        "A's admin: search for B's shopper",
        {
          // Part of the address: the page echoes what was searched, which must not count as a leak.
          path: `/app/members?q=${encodeURIComponent(b.email.split("@")[0] ?? "")}`,
          id: "routes/app.members._index",
        },
        {},
        true,
      ),
      await admin(
        shopA,
        "A's admin: activity",
        { path: "/app/activity", id: "routes/app.activity" },
        {},
        true,
      ),
    );
    for (const [label, tokenFaults] of Object.entries(badTokens)) {
      attempts.push(
        await admin(shopB, `B's admin, ${label}: member page`, member, {
          tokenFaults,
        }),
        await admin(shopB, `B's admin, ${label}: adjust`, member, {
          ...adjustment,
          tokenFaults,
        }),
        await admin(shopB, `B's admin, ${label}: export`, exported, {
          tokenFaults,
        }),
      );
    }

    const leaks = attempts.filter(
      (attempt) =>
        attempt.text.includes(b.email) ||
        attempt.text.includes(memberB.id) ||
        attempt.text.includes(redemptionB),
    );
    const wrong = attempts.filter(
      (attempt) =>
        !(attempt.status >= 400 && attempt.status < 500) &&
        !(attempt.allow2xx && attempt.status >= 200 && attempt.status < 300),
    );
    const afterB = await rowsOfShop(stack.database.prisma, shopB);
    const ledgerAfter = await checkLedger(stack.database, shopB);
    const movedB =
      JSON.stringify(afterB) !== JSON.stringify(beforeB) ||
      ledgerAfter.points !== ledgerBefore.points;
    const statuses = new Map<number, number>();
    for (const attempt of attempts)
      statuses.set(attempt.status, (statuses.get(attempt.status) ?? 0) + 1);
    const ledgerA = await checkLedger(
      stack.database,
      shopA,
      new Map([[String(a.id), 1_000]]),
    );
    return {
      volume: `${formatNumber(attempts.length)} requests: 4 kinds of bad token × 3 shopper endpoints × 2 shops, shop A's good tokens on B's customer and redemption, A's admin on B's member, bad admin tokens`,
      outcome:
        (wrong.length === 0
          ? `refused: ${[...statuses]
              .sort(([x], [y]) => x - y)
              .map(([status, n]) => `${status}×${n}`)
              .join(" ")} (the 2xx are A's own empty views)`
          : `${wrong.length} not refused: ${wrong
              .slice(0, 3)
              .map((attempt) => `${attempt.label} → ${attempt.status}`)
              .join("; ")}`) +
        `; ${leaks.length === 0 ? "nothing of B in any answer" : `B's data in ${leaks.map((leak) => leak.label).join(", ")}`}` +
        `; shop B ${movedB ? "CHANGED" : "unchanged"} (${formatNumber(ledgerAfter.points)} points, ${formatNumber(Object.values(afterB).reduce((sum, n) => sum + n, 0))} rows)`,
      ledger:
        ledgerA.exact && ledgerAfter.exact
          ? "ledger exact"
          : `${ledgerA.summary} | ${ledgerAfter.summary}`,
      ok:
        wrong.length === 0 &&
        leaks.length === 0 &&
        !movedB &&
        ledgerA.exact &&
        ledgerAfter.exact,
    };
  },
};
