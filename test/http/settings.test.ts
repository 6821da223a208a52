import { describe, expect, it } from "vitest";
import { programConfig } from "~/services/program.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { adminRequest } from "../support/admin";
import { useTestStack } from "../support/stack";

const stack = useTestStack();
const route = { path: "/app/settings", id: "routes/app.settings" };
let shopSeq = 0;

async function newShop() {
  const shop = `settings-${++shopSeq}.myshopify.com`;
  await registerLocalShop({ shop, accessToken: `shpat_settings_${shopSeq}` });
  return shop;
}

const config = (shop: string) =>
  stack.db.sql.transaction((tx) => programConfig(tx, shop));

/** The form as the page submits it: checked boxes send "on", unchecked ones nothing. */
const form = {
  enabled: "on",
  earnPoints: "2",
  earnPerAmount: "5.00",
  rounding: "NEAREST",
  applyOrderDiscounts: "on",
  includeShipping: "on",
  pendingDays: "14",
  expiryDays: "365",
  negativeBalancePolicy: "STOP_AT_ZERO",
  signupBonusPoints: "250",
};

describe("program settings", () => {
  it("shows the shop's settings in the form's terms", async () => {
    const shop = await newShop();
    const response = await adminRequest(stack.app, shop, route);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      currency: "USD",
      settings: {
        enabled: false,
        earnPoints: 1,
        earnPerAmount: "1.00",
        rounding: "DOWN",
        expiryDays: "",
        signupBonusPoints: 0,
      },
    });
  });

  it("saves every field it owns and keeps the rest of the configuration", async () => {
    const shop = await newShop();
    const before = await config(shop);
    const response = await adminRequest(stack.app, shop, route, {
      method: "POST",
      form,
    });
    expect(response.status).toBe(200);
    const after = await config(shop);
    expect(after).toEqual({
      ...before,
      enabled: true,
      earn: {
        ...before?.earn,
        points: 2,
        perAmountMinor: 500,
        rounding: "NEAREST",
        applyOrderDiscounts: true,
        includeShipping: true,
        includeTaxes: false,
        includeGiftCards: false,
      },
      pendingDays: 14,
      expiryDays: 365,
      negativeBalancePolicy: "STOP_AT_ZERO",
      signupBonusPoints: 250,
    });
  });

  it.each([
    [{ earnPerAmount: "0" }, "earnPerAmount", /above zero/],
    [{ earnPerAmount: "1.001" }, "earnPerAmount", /above zero/],
    [{ earnPoints: "-1" }, "earnPoints", /whole number/],
    [{ pendingDays: "120" }, "pendingDays", /at most 90/],
    [{ expiryDays: "soon" }, "expiryDays", /whole number/],
    [
      { pendingDays: "30", expiryDays: "30" },
      "expiryDays",
      /before they expire/,
    ],
    [{ rounding: "SIDEWAYS" }, "rounding", /./],
  ])(
    "refuses %j with an error on its field and saves nothing",
    async (change, field, message) => {
      const shop = await newShop();
      const before = await config(shop);
      const response = await adminRequest(stack.app, shop, route, {
        method: "POST",
        form: { ...form, ...change },
      });
      expect(response.status).toBe(400);
      const { fieldErrors } = await response.json();
      expect(fieldErrors[field]).toMatch(message);
      expect(await config(shop)).toEqual(before);
    },
  );
});
