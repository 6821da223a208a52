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
import { fakeI18n } from "../../shared/testing/fake-i18n";
import { renderText } from "../../shared/testing/render-text";
import { createAccountSession, type AccountApi } from "./account-session";
import { createBirthdayForm } from "./birthday";
import { clientFor } from "../../shared/shopify-host";
import { createStoreCreditForm } from "./store-credit";
import { AccountPage } from "./AccountPage";
import { accountView } from "./view";

type FakeAccount = Awaited<ReturnType<typeof openAccount>>;

async function openAccount(
  backend: FakeBackend = fakeBackend(),
  i18n = fakeI18n(en),
) {
  const api: AccountApi = {
    sessionToken: { get: async () => "customer-session-token" },
    i18n,
  };
  let keys = 0;
  const newKey = () => `intent-key-${++keys}`;
  const network = { appUrl: APP_URL, fetch: backend.fetch };
  const session = createAccountSession(api, network, newKey);
  const locale = createLocale(api.i18n);
  const birthday = createBirthdayForm(clientFor(api, network), locale);
  const credit = createStoreCreditForm(clientFor(api, network), {
    newKey,
    reload: () => session.load(),
  });
  let pending: Promise<void> = Promise.resolve();
  const screen = () => {
    const state = session.state();
    return renderText(
      h(AccountPage, {
        view: accountView(
          state,
          null,
          locale,
          birthday.state(),
          credit.state(),
        ),
        t: locale.t,
        on: {
          onApply: (choice) => (pending = session.apply(choice)),
          onSliderChange: () => undefined,
          onCreditPointsChange: (points) => credit.choose(points),
          onConvert: (points) => (pending = credit.convert(points)),
          onBirthdayChange: (value) => birthday.change(value),
          onBirthdaySave: () =>
            (pending = birthday.save(
              state.load.status === "ready"
                ? state.load.loyalty.birthday
                : null,
            )),
        },
      }),
    );
  };
  /** The screen once the last action has finished. */
  const settled = async () => {
    await pending;
    return screen();
  };
  await session.load();
  return {
    backend,
    screen,
    async click(label: string) {
      screen().click(label);
      return settled();
    },
    settled,
    /** Types `points` into the number field labelled `label`. */
    type(label: string, points: number) {
      const field = screen()
        .all("s-number-field")
        .find((element) => element.props.label === label);
      if (field === undefined) throw new Error(`No field "${label}"`);
      (field.props.onChange as (event: unknown) => void)({
        currentTarget: { value: String(points) },
      });
      return screen();
    },
  };
}

const history: Loyalty["recent"] = [
  {
    kind: "STORE_CREDIT",
    points: -300,
    occurredAt: "2026-11-22T10:00:00.000Z",
    orderName: null,
  },
  {
    kind: "REDEEM",
    points: -500,
    occurredAt: "2026-11-21T10:00:00.000Z",
    orderName: null,
  },
  {
    kind: "EARN",
    points: 42,
    occurredAt: "2026-11-20T09:00:00.000Z",
    orderName: "#1042",
  },
  {
    kind: "REFUND",
    points: -10,
    occurredAt: "2026-11-19T09:00:00.000Z",
    orderName: "#1040",
  },
  { kind: "EXPIRE", points: -120, occurredAt: "2026-11-01T00:00:00.000Z" },
];

describe("customer account points page", () => {
  it("shows the balance, the tier with progress, and the recent history, newest first", async () => {
    const account = await openAccount(
      fakeBackend(loyaltyFixture({ recent: history })),
    );
    const { text } = account.screen();

    expect(text).toContain("You have 1,240 points");
    expect(text).toContain("Silver member");
    expect(text).toContain("Earn 900 points more to reach Gold");
    expect(text).toContain(
      [
        "Turned into store credit Nov 22, 2026 -300",
        "Used for a discount code Nov 21, 2026 -500",
        "Earned on order #1042 Nov 20, 2026 +42",
        "Removed after a refund of order #1040 Nov 19, 2026 -10",
        "Expired Nov 1, 2026 -120",
      ].join(" "),
    );
  });

  it("says when the next points expire, in English and French, and nothing while none do", async () => {
    const expiring: Loyalty["expiring"] = [
      { points: 120, expiresAt: "2027-01-15T12:00:00.000Z" },
      { points: 30, expiresAt: "2027-02-01T12:00:00.000Z" },
    ];
    const backend = () => fakeBackend(loyaltyFixture({ expiring }));
    const english = (await openAccount(backend())).screen().text;
    expect(english).toContain("120 points expire on Jan 15, 2027");
    expect(english).not.toContain("30 points expire");
    const french = (
      await openAccount(backend(), fakeI18n(fr, "fr-FR"))
    ).screen().text;
    expect(french).toContain("120 points expirent le 15 janv. 2027");

    expect((await openAccount()).screen().text).not.toContain("expire");
  });

  it("saves the birthday the shopper picks, and says so", async () => {
    const account = await openAccount();
    const field = () => account.screen().all("s-date-field")[0];
    expect(field()?.props.value).toBe("");
    expect(account.screen().button("Save birthday")?.props.disabled).toBe(true);

    const onChange = field()?.props.onChange as (event: unknown) => void;
    onChange({ currentTarget: { value: "1990-03-15" } });
    const after = await account.click("Save birthday");

    expect(account.backend.writes().at(-1)).toMatchObject({
      path: "/api/checkout/birthday",
      body: { birthday: "1990-03-15" },
    });
    expect(after.text).toContain("Your birthday is saved.");
    expect(field()?.props.value).toBe("1990-03-15");
  });

  it("shows the birthday already given, and the app's sentence when saving fails", async () => {
    const account = await openAccount(
      fakeBackend(loyaltyFixture({ birthday: "1985-07-04" })),
    );
    expect(account.screen().all("s-date-field")[0]?.props.value).toBe(
      "1985-07-04",
    );
    account.backend.answer("POST /api/checkout/birthday", 400, {
      error: "A birthday cannot be in the future.",
      code: "INVALID_REQUEST",
    });
    const after = await account.click("Save birthday");
    expect(after.text).toContain("A birthday cannot be in the future.");
  });

  it.each<[string, Partial<Loyalty>, string, string]>([
    [
      "unused codes",
      { heldForStoreCredit: 0 },
      "500 points set aside for your unused codes",
      "500 points réservés pour vos codes non utilisés",
    ],
    [
      "a store credit Shopify has not confirmed",
      { heldForStoreCredit: 500, openRedemptions: [] },
      "500 points set aside for store credit Shopify has yet to confirm",
      "500 points réservés pour un crédit en boutique que Shopify doit encore confirmer",
    ],
    [
      "both",
      { heldForStoreCredit: 200 },
      "500 points set aside: 300 points for your unused codes, 200 points for store credit Shopify has yet to confirm",
      "500 points réservés : 300 points pour vos codes non utilisés, 200 points pour un crédit en boutique que Shopify doit encore confirmer",
    ],
  ])("says what held points wait for: %s", async (_, held, english, french) => {
    const summary = (): Loyalty =>
      loyaltyFixture({
        points: { available: 740, pending: 0, held: 500, lifetimeEarned: 2100 },
        openRedemptions: [
          {
            id: "redemption-open",
            code: "LOYAL-OPEN-1",
            points: 300,
            value: { kind: "FIXED_AMOUNT", amountMinor: 300 },
            expiresAt: "2026-11-29T10:30:00.000Z",
          },
        ],
        ...held,
      });
    expect((await openAccount(fakeBackend(summary()))).screen().text).toContain(
      english,
    );
    expect(
      (
        await openAccount(fakeBackend(summary()), fakeI18n(fr, "fr-FR"))
      ).screen().text,
    ).toContain(french);
  });

  it("asks for no earn estimate, since there is no cart here", async () => {
    const account = await openAccount();

    expect(account.backend.requests[0]?.query.has("subtotal")).toBe(false);
  });

  it("redeems a reward into a code the shopper can copy, with its value and expiry", async () => {
    const account = await openAccount();

    const after = await account.click("Get a code for $5 off");

    expect(account.backend.writes()[0]?.body).toEqual({
      rewardId: "fixed-500",
      idempotencyKey: "intent-key-1",
      surface: "account",
    });
    expect(after.text).toContain(
      "Your discount code is ready. Enter it at checkout. LOYAL-TEST-1 $5.00 off, use it by Nov 29, 2026",
    );
    expect(
      after.all("s-clipboard-item").map((item) => item.props.text),
    ).toEqual(["LOYAL-TEST-1"]);
    expect(after.button("Copy LOYAL-TEST-1")?.props).toMatchObject({
      command: "--copy",
      commandFor: "code-account-redemption-1",
    });
    expect(after.text).toContain("You have 740 points");
    expect(after.text).toContain("500 points set aside for your unused codes");
  });

  it("lists earlier unused codes once, and the new code apart from them", async () => {
    const account = await openAccount();
    await account.click("Get a code for $5 off");

    const after = await account.click("Get a code for $5 off");

    expect(
      after.all("s-clipboard-item").map((item) => item.props.text),
    ).toEqual(["LOYAL-TEST-2", "LOYAL-TEST-1"]);
    expect(after.text).toContain("Your unused codes LOYAL-TEST-1");
    const keys = account.backend
      .writes()
      .map((request) => request.body?.idempotencyKey);
    expect(keys).toEqual(["intent-key-1", "intent-key-2"]);
  });

  it("says how many points the shopper has when the app refuses for lack of points", async () => {
    const account = await openAccount();
    account.backend.answer("POST /api/checkout/redemptions", 409, {
      error: "Not enough points.",
      code: "INSUFFICIENT_POINTS",
      available: 1,
    });

    const after = await account.click("Get a code for $5 off");

    expect(after.text).toContain(
      "You have 1 point available, not enough for this reward.",
    );
    expect(after.all("s-clipboard-item")).toEqual([]);
  });

  it("tells a shopper whose session expired to reload", async () => {
    const backend = fakeBackend();
    backend.answer("GET /api/checkout/loyalty", 401);

    const account = await openAccount(backend);

    expect(account.screen().text).toBe(
      "Loyalty points Your session has expired. Reload the page and try again.",
    );
  });

  it("shows an empty history kindly", async () => {
    const account = await openAccount(
      fakeBackend(loyaltyFixture({ recent: [] })),
    );

    expect(account.screen().text).toContain(
      "Recent activity No points activity yet.",
    );
  });

  const engaged = loyaltyFixture({
    referral: {
      code: "REF-K7QM-2XWD-HP",
      url: "https://shop.example/discount/REF-K7QM-2XWD-HP",
    },
    challenges: [
      {
        id: "two-orders",
        title: "Two orders in December",
        kind: "ORDER_COUNT",
        progress: 1,
        target: 2,
        completed: false,
        bonusPoints: 100,
        endsAt: "2026-12-31T12:00:00.000Z",
      },
      {
        id: "spend-50",
        title: "Spend $50 this week",
        kind: "SPEND",
        progress: 5000,
        target: 5000,
        completed: true,
        bonusPoints: 150,
        endsAt: "2026-11-28T12:00:00.000Z",
      },
    ],
  });

  it("offers the shopper's invitation link to copy, and their challenges with progress", async () => {
    const { text, ...screen } = (
      await openAccount(fakeBackend(engaged))
    ).screen();

    expect(text).toContain(
      "Invite a friend Share your link: your friend gets a discount on their first order, and you earn points once that order is confirmed. Your code: REF-K7QM-2XWD-HP https://shop.example/discount/REF-K7QM-2XWD-HP",
    );
    expect(screen.button("Copy your invitation link")?.props).toMatchObject({
      command: "--copy",
      commandFor: "referral-link",
    });
    expect(
      screen.all("s-clipboard-item").map((item) => item.props.text),
    ).toContain("https://shop.example/discount/REF-K7QM-2XWD-HP");
    expect(text).toContain(
      "Challenges Two orders in December 100 points if completed by Dec 31, 2026 1 of 2 orders Spend $50 this week Completed, 150 points earned $50.00 of $50.00 spent",
    );
  });

  it("speaks French about the invitation and the challenges", async () => {
    const { text } = (
      await openAccount(fakeBackend(engaged), fakeI18n(fr, "fr-FR"))
    ).screen();

    expect(text).toContain("Parrainez un ami");
    expect(text).toContain("Votre code : REF-K7QM-2XWD-HP");
    expect(text).toContain("Commandes : 1 sur 2");
    expect(text).toContain("Dépensé : 50,00\u00a0$US sur 50,00\u00a0$US");
    expect(text).toContain("Défi relevé, 150 points gagnés");
  });

  it("shows neither without a referral code or a running challenge", async () => {
    const { text } = (await openAccount()).screen();

    expect(text).not.toContain("Invite a friend");
    expect(text).not.toContain("Challenges");
  });
});

describe("store credit on the customer account page", () => {
  // At 300 points a dollar: 100 points are worth 33 cents, but 300 points a whole dollar.
  const offered = (points = 1_240, maxPoints = 1_200) =>
    fakeBackend(
      loyaltyFixture({
        points: { available: points, pending: 0, held: 0, lifetimeEarned: 0 },
        storeCredit: {
          stepPoints: 100,
          minPoints: 200,
          maxPoints,
          price: { points: 300, amountMinor: 100 },
        },
      }),
    );
  const FIELD = "Points to turn into store credit";
  const field = (screen: ReturnType<FakeAccount["screen"]>) =>
    screen
      .all("s-number-field")
      .find((element) => element.props.label === FIELD);

  it("is not shown when the shop does not offer it", async () => {
    const { text } = (await openAccount()).screen();

    expect(text).not.toContain("Store credit");
    expect(text).not.toContain("Get store credit");
  });

  it("offers the steps the balance allows, with what the chosen points are worth", async () => {
    const account = await openAccount(offered());
    const first = account.screen();
    expect(field(first)?.props).toMatchObject({
      min: 200,
      max: 1_200,
      step: 100,
      value: "200",
    });
    expect(first.text).toContain(
      "Store credit Turn points into store credit for your next orders in this store.",
    );
    expect(first.text).toContain("200 points for $0.66 in store credit");

    expect(account.type(FIELD, 300).text).toContain(
      "300 points for $1.00 in store credit",
    );
    expect(account.type(FIELD, 450).text).toContain(
      "400 points for $1.33 in store credit",
    );
    expect(account.type(FIELD, 9_000).text).toContain(
      "1,200 points for $4.00 in store credit",
    );
  });

  it("says how many more points it takes while the balance is below the minimum", async () => {
    const account = await openAccount(offered(150, 100));
    const screen = account.screen();

    expect(screen.text).toContain(
      "50 points more and you can turn points into store credit",
    );
    expect(field(screen)).toBeUndefined();
    expect(screen.button("Get store credit")).toBeUndefined();
  });

  it("converts the chosen points, busy while the app works, then shows the credit and the balance left", async () => {
    const account = await openAccount(offered());
    account.type(FIELD, 300);

    account.screen().click("Get store credit");
    const busy = account.type(FIELD, 500);
    expect(busy.button("Get store credit")?.props).toMatchObject({
      loading: true,
      disabled: true,
    });
    const after = await account.settled();

    expect(account.backend.writes()[0]).toMatchObject({
      path: "/api/checkout/store-credit",
      body: { points: 300, idempotencyKey: "intent-key-1" },
    });
    expect(after.all("s-banner")[0]?.props.tone).toBe("success");
    expect(after.text).toContain(
      "$1.00 in store credit was added to your account for 300 points.",
    );
    expect(after.text).toContain("You have 940 points");
    expect(field(after)?.props).toMatchObject({ max: 900, value: "500" });
    expect(after.button("Get store credit")?.props.loading).toBe(false);
  });

  const unconfirmed = {
    error: "Your store credit is being confirmed with Shopify.",
    code: "UNCONFIRMED",
    id: "credit-1",
    points: 200,
    amountMinor: 66,
    currency: "USD",
    status: "HELD",
  };

  it.each<[string, number, Record<string, unknown>, string, string]>([
    [
      "not confirmed by Shopify yet",
      202,
      unconfirmed,
      "info",
      "We asked Shopify for $0.66 in store credit and are waiting for its confirmation. Until then, we keep 200 points set aside for it.",
    ],
    [
      "refused by Shopify",
      502,
      {
        error: "Shopify did not give the store credit.",
        code: "SHOPIFY_REFUSED",
      },
      "critical",
      "Shopify couldn't add the store credit. Your points were not used. Try again later.",
    ],
    [
      "refused for lack of points",
      409,
      {
        error: "Not enough points.",
        code: "INSUFFICIENT_POINTS",
        available: 150,
      },
      "critical",
      "You have 150 points available, not enough for this store credit.",
    ],
    [
      "turned off meanwhile",
      409,
      {
        error: "Points cannot be turned into store credit.",
        code: "STORE_CREDIT_OFF",
      },
      "critical",
      "This store doesn't turn points into store credit right now.",
    ],
  ])(
    "says so when the credit is %s",
    async (_case, status, body, tone, text) => {
      const account = await openAccount(offered());
      account.backend.answer("POST /api/checkout/store-credit", status, body);

      const after = await account.click("Get store credit");

      expect(after.all("s-banner")[0]?.props.tone).toBe(tone);
      expect(after.text).toContain(text);
      expect(after.text).not.toContain("was added to your account");
    },
  );

  it("retries with the same key while the outcome is unknown, and with a new one once refused", async () => {
    const account = await openAccount(offered());
    const route = "POST /api/checkout/store-credit";

    account.backend.goOfflineFor(route);
    const offline = await account.click("Get store credit");
    expect(offline.text).toContain("We couldn't reach the loyalty service.");
    account.backend.answer(route, 202, unconfirmed);
    await account.click("Get store credit");
    account.backend.answer(route, 502, { code: "SHOPIFY_REFUSED" });
    await account.click("Get store credit");
    await account.click("Get store credit");

    expect(
      account.backend.writes().map((request) => request.body?.idempotencyKey),
    ).toEqual(["intent-key-1", "intent-key-1", "intent-key-1", "intent-key-2"]);
  });
});
