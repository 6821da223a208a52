// Shopify's compliance webhooks. After customers/redact, nothing that names the shopper is left in
// any text or JSON column of any table (the scan first proves it finds them beforehand); another
// shopper's data and the shop's points stay. After shop/redact, no row of the shop is left.
import {
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  shopRedactPayload,
} from "../../../simulator/webhooks";
import { findTextAnywhere, rowsOfShop } from "../../lib/database-scan";
import { formatNumber } from "../../bench/report";
import { historyProgram, oneLineOrder } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { redeemReward } from "../shopper";
import { sendUntilAccepted, webhookRequest } from "../stack";

const shopId = 740_000;

export const privacy: Scenario = {
  name: "9 privacy",
  async run({ stack, now }) {
    const shop = "proof-privacy.myshopify.com";
    await stack.openShop(shop, historyProgram(now));
    // Words no other scenario writes, and no hex word that an id or key could contain.
    const redacted = {
      id: 740_001,
      email: "augusta.quill@example.org",
      first_name: "Augusta",
      last_name: "Quillfeather",
      phone: "+44 20 7946 0958",
    };
    const kept = {
      id: 740_002,
      email: "winnifred.moss@example.org",
      first_name: "Winnifred",
      last_name: "Mossgrove",
      phone: "+44 20 7946 0777",
    };
    const orderOf = (
      id: number,
      customer: typeof redacted | null,
      email: string,
    ) =>
      oneLineOrder({
        id,
        customer: customer ?? undefined,
        email,
        price: "800.00",
        placedAt: now,
      });
    const deliveries = [redacted, kept].flatMap((customer, index) => {
      stack.simulator.addCustomer(shop, {
        id: customer.id,
        email: customer.email,
        firstName: customer.first_name,
        lastName: customer.last_name,
      });
      const orderId = 7_400_100 + index * 10;
      return [
        webhookRequest(shop, "customers/create", {
          payload: customerPayload(customer),
        }),
        webhookRequest(shop, "orders/paid", {
          payload: orderOf(orderId, customer, customer.email),
        }),
        // A guest order with the same e-mail, kept to be granted if they open an account.
        webhookRequest(shop, "orders/paid", {
          payload: orderOf(orderId + 1, null, customer.email),
        }),
        webhookRequest(shop, "customers/data_request", {
          payload: customersDataRequestPayload({
            shopId,
            shopDomain: shop,
            customer,
            dataRequestId: customer.id,
          }),
        }),
      ];
    });
    // A delivery the app could not read, kept as a dead letter with the shopper's e-mail in it.
    const unreadable = webhookRequest(shop, "orders/paid", {
      payload: { email: redacted.email, line_items: "?" },
    });
    const setup = await sendUntilAccepted(stack.app, deliveries);
    await sendUntilAccepted(stack.app, [unreadable], { maxRounds: 1 });
    const held = await redeemReward(stack.app.url, shop, redacted.id);
    if (setup.notAccepted.length > 0 || held.status !== 201)
      throw new Error(`setup failed: ${held.status} ${held.text}`);

    const personal = [
      redacted.email,
      redacted.first_name,
      redacted.last_name,
      redacted.phone,
    ];
    const foundBefore = (
      await Promise.all(
        personal.map((value) => findTextAnywhere(stack.database.prisma, value)),
      )
    ).flat();
    const ledgerBefore = await checkLedger(stack.database, shop);

    const redact = await sendUntilAccepted(stack.app, [
      webhookRequest(shop, "customers/redact", {
        payload: customersRedactPayload({
          shopId,
          shopDomain: shop,
          customer: redacted,
          ordersToRedact: [7_400_100, 7_400_101],
        }),
      }),
    ]);
    const foundAfter: string[] = [];
    for (const value of personal)
      for (const place of await findTextAnywhere(stack.database.prisma, value))
        foundAfter.push(`${value} in ${place}`);
    const keptFound = await findTextAnywhere(stack.database.prisma, kept.email);
    const ledgerAfter = await checkLedger(stack.database, shop);

    const shopRedact = await sendUntilAccepted(stack.app, [
      webhookRequest(shop, "shop/redact", {
        payload: shopRedactPayload({ shopId, shopDomain: shop }),
      }),
    ]);
    const remaining = Object.entries(
      await rowsOfShop(stack.database.prisma, shop),
    ).filter(([, n]) => n > 0);
    const domainFound = await findTextAnywhere(stack.database.prisma, shop);
    const pointsKept =
      ledgerAfter.exact &&
      ledgerAfter.points === ledgerBefore.points &&
      ledgerBefore.exact;
    return {
      volume: `2 shoppers (account, order, guest order, data request, code, dead letter); customers/redact for one, then shop/redact`,
      outcome:
        `before: the shopper's data in ${formatNumber(new Set(foundBefore).size)} columns; ` +
        `after customers/redact: ${foundAfter.length === 0 ? "none of it anywhere" : foundAfter.slice(0, 4).join(", ")}, the other shopper's still there (${keptFound.length} columns), points ${pointsKept ? `unchanged (${formatNumber(ledgerAfter.points)})` : "CHANGED"}; ` +
        `after shop/redact: ${remaining.length === 0 ? "no row of the shop" : `rows left in ${remaining.map(([table, n]) => `${table} (${n})`).join(", ")}`}` +
        (domainFound.length > 0
          ? `, its domain still in ${domainFound.join(", ")}`
          : ""),
      ledger: ledgerAfter.exact ? "ledger exact" : ledgerAfter.summary,
      ok:
        foundBefore.length > 0 &&
        foundAfter.length === 0 &&
        keptFound.length > 0 &&
        pointsKept &&
        redact.notAccepted.length === 0 &&
        shopRedact.notAccepted.length === 0 &&
        remaining.length === 0 &&
        domainFound.length === 0,
    };
  },
};
