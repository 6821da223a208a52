import { h } from "preact";
import { describe, expect, it } from "vitest";
import en from "../locales/en.default.json";
import fr from "../locales/fr.json";
import type { Loyalty } from "../../shared/api";
import { createLocale } from "../../shared/locale";
import {
  APP_URL,
  fakeBackend,
  loyaltyFixture,
  type FakeBackend,
} from "../../shared/testing/fake-backend";
import { fakeI18n, type Messages } from "../../shared/testing/fake-i18n";
import { renderText } from "../../shared/testing/render-text";
import {
  orderPointsView,
  readOrderPoints,
  type OrderPointsApi,
} from "./order-points";
import { OrderPointsBlock } from "./OrderPointsBlock";

async function orderPage({
  backend = fakeBackend(),
  orderName = null,
  messages = en,
  locale = "en-US",
}: {
  backend?: FakeBackend;
  orderName?: string | null;
  messages?: Messages;
  locale?: string;
} = {}) {
  const api: OrderPointsApi = {
    sessionToken: { get: async () => "buyer-session-token" },
    i18n: fakeI18n(messages, locale),
    cost: { subtotalAmount: { value: { amount: 82.1, currencyCode: "USD" } } },
  };
  const load = await readOrderPoints(api, {
    appUrl: APP_URL,
    fetch: backend.fetch,
  });
  const i18n = createLocale(api.i18n);
  return renderText(
    h(OrderPointsBlock, {
      view: orderPointsView(load, orderName, i18n),
      t: i18n.t,
    }),
  );
}

const withOrder = (overrides: Partial<Loyalty> = {}) =>
  fakeBackend(
    loyaltyFixture({
      recent: [
        {
          kind: "EARN",
          points: 42,
          occurredAt: "2026-11-20T09:00:00.000Z",
          orderName: "#1042",
        },
        {
          kind: "EARN",
          points: 7,
          occurredAt: "2026-11-01T09:00:00.000Z",
          orderName: "#1001",
        },
      ],
      ...overrides,
    }),
  );

describe("thank-you and order status block", () => {
  it("shows the points this order earned once the ledger has them", async () => {
    const page = await orderPage({ backend: withOrder(), orderName: "#1042" });

    expect(page.text).toContain("This order earned you 42 points.");
    expect(page.text).toContain("Your balance: 1,240 points");
    expect(page.text).toContain("80 points on their way from recent orders");
  });

  it("gives the estimate while the paid order has not reached the ledger yet", async () => {
    const page = await orderPage({ backend: withOrder(), orderName: "#1043" });

    expect(page.text).toContain(
      "This order will earn you about 42 points once it's paid.",
    );
  });

  it("asks for the estimate with the order subtotal in minor units", async () => {
    const backend = fakeBackend();
    await orderPage({ backend });

    expect(backend.requests[0]?.query.get("subtotal")).toBe("8210");
  });

  it("shows tier progress, by amount spent when the tier counts spend", async () => {
    const backend = fakeBackend(
      loyaltyFixture({
        tier: {
          name: "Silver",
          tag: "loyalty-tier:silver",
          basis: "AMOUNT_SPENT",
          progress: 40000,
          next: { name: "Gold", threshold: 50000, remaining: 10000 },
        },
      }),
    );

    const page = await orderPage({ backend });

    expect(page.text).toContain("Spend $100.00 more to reach Gold");
    expect(page.all("s-progress")[0]?.props.value).toBeCloseTo(0.8);
  });

  it("congratulates a member at the top tier", async () => {
    const backend = fakeBackend(
      loyaltyFixture({
        tier: {
          name: "Gold",
          tag: "loyalty-tier:gold",
          basis: "POINTS_EARNED",
          progress: 4000,
          next: null,
        },
      }),
    );

    const page = await orderPage({ backend });

    expect(page.text).toContain("You have reached Gold, the top tier");
    expect(page.all("s-progress")[0]?.props.value).toBe(1);
  });

  it("tells a guest how to collect points next time", async () => {
    const backend = fakeBackend();
    backend.actAsGuest();

    const page = await orderPage({ backend });

    expect(page.text).toBe(
      "Sign in to your account next time to collect points on your orders.",
    );
  });

  it("says the program is paused instead of promising points", async () => {
    const page = await orderPage({
      backend: withOrder({ enabled: false }),
      orderName: "#1043",
    });

    expect(page.text).toContain(
      "The loyalty program is paused. Your points are safe.",
    );
    expect(page.text).not.toContain("will earn");
  });

  it("speaks French to a French buyer, with French number formats", async () => {
    const page = await orderPage({
      backend: withOrder(),
      orderName: "#1042",
      messages: fr,
      locale: "fr-FR",
    });

    expect(page.text).toContain("Cette commande vous a rapporté 42 points.");
    expect(page.text).toContain("Votre solde : 1\u202f240 points");
  });
});
