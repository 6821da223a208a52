import { h } from "preact";
import { describe, expect, it } from "vitest";
import en from "../locales/en.default.json";
import { createLocale } from "../../shared/locale";
import {
  APP_URL,
  fakeBackend,
  loyaltyFixture,
  type FakeBackend,
} from "../../shared/testing/fake-backend";
import { fakeI18n } from "../../shared/testing/fake-i18n";
import { renderText } from "../../shared/testing/render-text";
import type { Loyalty } from "../../shared/api";
import {
  canUpdateDiscountCodes,
  createCheckoutSession,
  type CheckoutApi,
} from "./checkout-session";
import { CheckoutBlock } from "./CheckoutBlock";
import { checkoutView } from "./view";

type DiscountCodeChange = Parameters<CheckoutApi["applyDiscountCodeChange"]>[0];

interface Options {
  loyalty?: Loyalty;
  canUpdateDiscountCodes?: boolean;
  /** Shopify refuses every discount code change (a code it will not accept). */
  refuseCodes?: boolean;
  appliedCodes?: string[];
  subtotal?: number;
}

/** Shopify's checkout as the block sees it: the `shopify` object's slices, with a real locale. */
function fakeCheckout(options: Options) {
  const changes: DiscountCodeChange[] = [];
  const discountCodes = {
    value: (options.appliedCodes ?? []).map((code) => ({ code })),
  };
  const api: CheckoutApi = {
    sessionToken: { get: async () => "buyer-session-token" },
    i18n: fakeI18n(en),
    checkoutToken: { value: "checkout-1" },
    cost: {
      subtotalAmount: {
        value: { amount: options.subtotal ?? 82.1, currencyCode: "USD" },
      },
    },
    instructions: {
      value: {
        discounts: {
          canUpdateDiscountCodes: options.canUpdateDiscountCodes ?? true,
        },
      },
    },
    discountCodes,
    async applyDiscountCodeChange(change) {
      changes.push(change);
      if (options.refuseCodes === true)
        return { type: "error", message: "Discount code is not valid" };
      discountCodes.value =
        change.type === "addDiscountCode"
          ? [...discountCodes.value, { code: change.code }]
          : discountCodes.value.filter(({ code }) => code !== change.code);
      return { type: "success" };
    },
  };
  return { api, changes, discountCodes };
}

async function openCheckout(
  options: Options = {},
  backend: FakeBackend = fakeBackend(options.loyalty),
) {
  const shopify = fakeCheckout(options);
  let keys = 0;
  const session = createCheckoutSession(
    shopify.api,
    { appUrl: APP_URL, fetch: backend.fetch },
    () => `intent-key-${++keys}`,
  );
  const locale = createLocale(shopify.api.i18n);
  let pending: Promise<void> = Promise.resolve();
  let sliderPoints: number | null = null;
  const screen = () =>
    renderText(
      h(CheckoutBlock, {
        view: checkoutView({
          state: session.state(),
          sliderPoints,
          canUpdateDiscountCodes: canUpdateDiscountCodes(shopify.api),
          locale,
        }),
        t: locale.t,
        on: {
          onApply: (choice) => (pending = session.apply(choice)),
          onRemove: () => (pending = session.release()),
          onSliderChange: (points) => (sliderPoints = points),
        },
      }),
    );
  const loading = screen();
  await session.load(82_10);
  return {
    ...shopify,
    backend,
    session,
    loading,
    screen,
    /** Clicks a button and waits for what it started to finish. */
    async click(label: string) {
      screen().click(label);
      await pending;
      return screen();
    },
  };
}

describe("checkout points block", () => {
  it("shows a spinner first, then the balance, the tier, and what this order earns", async () => {
    const checkout = await openCheckout();

    expect(checkout.loading.all("s-spinner")).toHaveLength(1);
    const { text } = checkout.screen();
    expect(text).toContain("You have 1,240 points");
    expect(text).toContain("80 points on their way from recent orders");
    expect(text).toContain("Silver member");
    expect(text).toContain("Earn 900 points more to reach Gold");
    expect(text).toContain("This order earns you 42 points");
    expect(checkout.screen().all("s-progress")[0]?.props.value).toBeCloseTo(
      0.7,
    );
  });

  it("sends the subtotal in minor units and the session token", async () => {
    const checkout = await openCheckout({ subtotal: 82.1 });

    const [read] = checkout.backend.requests;
    expect(read?.query.get("subtotal")).toBe("8210");
    expect(read?.authorization).toBe("Bearer buyer-session-token");
  });

  it("offers affordable rewards and disables the ones the shopper cannot afford", async () => {
    const checkout = await openCheckout();
    const screen = checkout.screen();

    expect(screen.button("Apply $5 off")?.props.disabled).toBe(false);
    expect(screen.button("Apply 10% off")?.props.disabled).toBe(true);
  });

  it("Apply holds the points at the app, then adds the code to the checkout", async () => {
    const checkout = await openCheckout();

    const after = await checkout.click("Apply $5 off");

    expect(checkout.backend.writes()).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/api/checkout/redemptions",
        body: {
          rewardId: "fixed-500",
          idempotencyKey: "intent-key-1",
          checkoutToken: "checkout-1",
          subtotal: 8210,
          surface: "checkout",
        },
      }),
    ]);
    expect(checkout.changes).toEqual([
      { type: "addDiscountCode", code: "LOYAL-TEST-1" },
    ]);
    expect(after.text).toContain(
      "LOYAL-TEST-1 applied: $5.00 off for 500 points",
    );
    expect(after.text).toContain("You have 740 points");
    expect(after.button("Remove")).toBeDefined();
  });

  it("gives the points back when Shopify refuses the code, and says so", async () => {
    const checkout = await openCheckout({ refuseCodes: true });

    const after = await checkout.click("Apply $5 off");

    expect(
      checkout.backend
        .writes()
        .map((request) => `${request.method} ${request.path}`),
    ).toEqual([
      "POST /api/checkout/redemptions",
      "DELETE /api/checkout/redemptions/checkout-1-redemption-1",
    ]);
    expect(checkout.backend.open()).toEqual([]);
    expect(after.text).toContain(
      "This discount couldn't be added to your checkout. Your points were not used.",
    );
    expect(after.text).toContain("You have 1,240 points");
  });

  it("Remove takes the code off the checkout, then releases the points", async () => {
    const checkout = await openCheckout();
    await checkout.click("Apply $5 off");

    const after = await checkout.click("Remove");

    expect(checkout.changes.at(-1)).toEqual({
      type: "removeDiscountCode",
      code: "LOYAL-TEST-1",
    });
    expect(checkout.backend.writes().at(-1)).toMatchObject({
      method: "DELETE",
      path: "/api/checkout/redemptions/checkout-1-redemption-1",
    });
    expect(after.text).toContain("You have 1,240 points");
    expect(after.button("Apply $5 off")).toBeDefined();
  });

  it("keeps the points held when Shopify will not take the code off", async () => {
    const checkout = await openCheckout();
    await checkout.click("Apply $5 off");
    checkout.api.applyDiscountCodeChange = async () => ({
      type: "error",
      message: "not now",
    });

    const after = await checkout.click("Remove");

    expect(
      checkout.backend
        .writes()
        .filter((request) => request.method === "DELETE"),
    ).toEqual([]);
    expect(after.text).toContain(
      "The discount couldn't be removed from your checkout. Try again.",
    );
    expect(after.button("Remove")).toBeDefined();
  });

  it("shows a code already on the checkout as applied after a reload", async () => {
    const backend = fakeBackend();
    await openCheckout({}, backend).then((first) =>
      first.click("Apply $5 off"),
    );

    const reloaded = await openCheckout(
      { appliedCodes: ["loyal-test-1"] },
      backend,
    );

    expect(reloaded.screen().text).toContain("LOYAL-TEST-1 applied");
    expect(reloaded.screen().button("Remove")).toBeDefined();
  });

  it("asks a guest to sign in", async () => {
    const backend = fakeBackend();
    backend.actAsGuest();

    const checkout = await openCheckout({}, backend);

    expect(checkout.screen().text).toBe("Sign in to use your points.");
    expect(checkout.screen().all("s-button")).toEqual([]);
  });

  it("tells the shopper how many points they have when the app says there are not enough", async () => {
    const checkout = await openCheckout();
    checkout.backend.answer("POST /api/checkout/redemptions", 409, {
      error: "Not enough points.",
      code: "INSUFFICIENT_POINTS",
      available: 320,
    });

    const after = await checkout.click("Apply $5 off");

    expect(after.text).toContain(
      "You have 320 points available, not enough for this reward.",
    );
    expect(checkout.changes).toEqual([]);
  });

  it("says how many points are missing when no reward is affordable", async () => {
    const loyalty = loyaltyFixture({
      points: { available: 120, pending: 0, held: 0, lifetimeEarned: 120 },
    });
    loyalty.rewards = loyalty.rewards.map((reward) => ({
      ...reward,
      affordable: false,
    }));

    const checkout = await openCheckout({ loyalty });

    expect(checkout.screen().text).toContain(
      "380 points more and you can redeem $5 off",
    );
  });

  it("explains that points cannot be used in an express checkout, without an Apply button", async () => {
    const checkout = await openCheckout({ canUpdateDiscountCodes: false });
    const screen = checkout.screen();

    expect(screen.text).toContain(
      "Points can't be used with this checkout method.",
    );
    expect(screen.all("s-button")).toEqual([]);
    expect(screen.text).toContain("You have 1,240 points");
  });

  it("shows the paused program without offering rewards", async () => {
    const checkout = await openCheckout({
      loyalty: loyaltyFixture({ enabled: false }),
    });
    const screen = checkout.screen();

    expect(screen.text).toContain(
      "The loyalty program is paused. Your points are safe.",
    );
    expect(screen.all("s-button")).toEqual([]);
  });

  it("shows nothing in a shop without a loyalty program", async () => {
    const backend = fakeBackend();
    backend.answer("GET /api/checkout/loyalty", 404, {
      error: "No program.",
      code: "PROGRAM_NOT_FOUND",
    });

    const checkout = await openCheckout({}, backend);

    expect(checkout.screen().text).toBe("");
  });

  it("shows the backend's sentence for an unexpected error", async () => {
    const backend = fakeBackend();
    backend.answer("GET /api/checkout/loyalty", 500, {
      error: "Something went wrong on our side.",
      code: "UNAVAILABLE",
    });

    const checkout = await openCheckout({}, backend);

    expect(checkout.screen().text).toBe("Something went wrong on our side.");
  });

  it("shows the app's sentence when Shopify did not create the code", async () => {
    const checkout = await openCheckout();
    checkout.backend.answer("POST /api/checkout/redemptions", 502, {
      error: "Shopify is not answering. Your points were not used.",
      code: "SHOPIFY_UNAVAILABLE",
    });

    const after = await checkout.click("Apply $5 off");

    expect(after.text).toContain(
      "Shopify is not answering. Your points were not used.",
    );
    expect(checkout.changes).toEqual([]);
  });

  it("retries an unanswered Apply with the same idempotency key, and a new intent with a new one", async () => {
    const checkout = await openCheckout();
    checkout.backend.goOfflineFor("POST /api/checkout/redemptions");

    const offline = await checkout.click("Apply $5 off");
    expect(offline.text).toContain("We couldn't reach the loyalty service.");
    await checkout.click("Apply $5 off");
    await checkout.click("Remove");
    await checkout.click("Apply $5 off");

    const keys = checkout.backend
      .writes()
      .filter((request) => request.method === "POST")
      .map((request) => request.body?.idempotencyKey);
    expect(keys).toEqual(["intent-key-1", "intent-key-1", "intent-key-2"]);
    expect(checkout.backend.open()).toHaveLength(1);
  });

  it("shows the slider's amount as the code will take it off, where a step is not a whole cent", async () => {
    const loyalty = loyaltyFixture({
      rewards: [],
      slider: {
        stepPoints: 100,
        minPoints: 100,
        maxPoints: 300,
        price: { points: 300, amountMinor: 100 },
      },
    });
    const checkout = await openCheckout({ loyalty });
    // Three steps of 33⅓ cents are a dollar, not 99 cents.
    expect(checkout.screen().text).toContain("300 points for $1.00 off");
  });

  it("redeems the slider's points, snapped to a step within the allowed range", async () => {
    const loyalty = loyaltyFixture({
      rewards: [],
      slider: {
        stepPoints: 100,
        minPoints: 100,
        maxPoints: 1200,
        price: { points: 100, amountMinor: 100 },
      },
    });
    const checkout = await openCheckout({ loyalty });
    expect(checkout.screen().text).toContain("1,200 points for $12.00 off");

    const field = checkout.screen().all("s-number-field")[0];
    (field?.props.onChange as (event: Event) => void)({
      currentTarget: { value: "750" },
    } as unknown as Event);
    expect(checkout.screen().text).toContain("700 points for $7.00 off");
    await checkout.click("Apply");

    expect(checkout.backend.writes()[0]?.body).toMatchObject({
      points: 700,
      surface: "checkout",
    });
    expect(checkout.changes).toEqual([
      { type: "addDiscountCode", code: "LOYAL-TEST-1" },
    ]);
  });

  it("keeps showing the balance it has when a reload fails", async () => {
    const checkout = await openCheckout();
    checkout.backend.goOfflineFor("GET /api/checkout/loyalty");

    await checkout.session.load(90_00);

    expect(checkout.screen().text).toContain("You have 1,240 points");
  });
});
