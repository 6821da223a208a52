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
import { AccountPage } from "./AccountPage";
import { accountView } from "./view";

async function openAccount(
  backend: FakeBackend = fakeBackend(),
  i18n = fakeI18n(en),
) {
  const api: AccountApi = {
    sessionToken: { get: async () => "customer-session-token" },
    i18n,
  };
  let keys = 0;
  const session = createAccountSession(
    api,
    { appUrl: APP_URL, fetch: backend.fetch },
    () => `intent-key-${++keys}`,
  );
  const locale = createLocale(api.i18n);
  const birthday = createBirthdayForm(
    clientFor(api, { appUrl: APP_URL, fetch: backend.fetch }),
    locale,
  );
  let pending: Promise<void> = Promise.resolve();
  const screen = () => {
    const state = session.state();
    return renderText(
      h(AccountPage, {
        view: accountView(state, null, locale, birthday.state()),
        t: locale.t,
        on: {
          onApply: (choice) => (pending = session.apply(choice)),
          onSliderChange: () => undefined,
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
  await session.load();
  return {
    backend,
    screen,
    async click(label: string) {
      screen().click(label);
      await pending;
      return screen();
    },
  };
}

const history: Loyalty["recent"] = [
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
