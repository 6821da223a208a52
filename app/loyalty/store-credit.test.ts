import { describe, expect, it } from "vitest";
import {
  chooseStoreCredit,
  storeCreditOffer,
  storeCreditSettingsSchema,
  type StoreCreditOffer,
} from "./store-credit";

const settings = storeCreditSettingsSchema.parse({
  enabled: true,
  stepPoints: 100,
  minPoints: 200,
  maxPoints: 1_000,
});
const rate = { pointsPerUnit: 100 };

describe("chooseStoreCredit", () => {
  it("prices whole steps at the redemption rate", () => {
    expect(chooseStoreCredit(settings, 300, rate, "USD")).toEqual({
      ok: true,
      points: 300,
      amountMinor: 300,
    });
    expect(chooseStoreCredit(settings, 300, rate, "JPY")).toEqual({
      ok: true,
      points: 300,
      amountMinor: 3,
    });
  });

  it.each([
    [100, "OUT_OF_RANGE"],
    [1_100, "OUT_OF_RANGE"],
    [250, "NOT_A_STEP"],
  ])("refuses %d points: %s", (points, reason) => {
    expect(chooseStoreCredit(settings, points, rate, "USD")).toEqual({
      ok: false,
      reason,
    });
  });

  it("refuses points worth nothing at the rate", () => {
    expect(
      chooseStoreCredit(settings, 200, { pointsPerUnit: 100_000 }, "USD"),
    ).toEqual({
      ok: false,
      reason: "WORTH_NOTHING",
    });
  });

  it("refuses settings whose minimum is not whole steps", () => {
    expect(
      storeCreditSettingsSchema.safeParse({ stepPoints: 150, minPoints: 200 })
        .success,
    ).toBe(false);
  });
});

describe("storeCreditOffer", () => {
  it("is null while the merchant has store credit off", () => {
    expect(
      storeCreditOffer({ ...settings, enabled: false }, 5_000, rate, "USD"),
    ).toBeNull();
  });

  it("limits the maximum to the balance, rounded down to a step", () => {
    expect(storeCreditOffer(settings, 750, rate, "USD")).toEqual({
      stepPoints: 100,
      minPoints: 200,
      maxPoints: 700,
      price: { points: 100, amountMinor: 100 },
    });
    expect(storeCreditOffer(settings, 5_000, rate, "USD")?.maxPoints).toBe(
      1_000,
    );
  });

  it("offers a maximum below the minimum to a shopper who cannot convert yet", () => {
    expect(storeCreditOffer(settings, 150, rate, "USD")).toMatchObject({
      minPoints: 200,
      maxPoints: 100,
    });
  });

  it("starts at the first step worth something, and is null when none is", () => {
    expect(
      storeCreditOffer(settings, 5_000, { pointsPerUnit: 25_000 }, "USD"),
    ).toMatchObject({ minPoints: 300, maxPoints: 1_000 });
    expect(
      storeCreditOffer(settings, 5_000, { pointsPerUnit: 200_000 }, "USD"),
    ).toBeNull();
  });

  // The rule docs/checkout-api.md gives the extensions for the amount next to a choice.
  const shown = (offer: StoreCreditOffer, points: number) =>
    Math.floor((points * offer.price.amountMinor) / offer.price.points);

  it.each([
    [100, "USD"],
    [300, "USD"],
    [7, "JPY"],
    [3, "KWD"],
    [25_000, "USD"],
  ])(
    "shows for every choice at %d points a unit of %s what converting it credits",
    (pointsPerUnit, currency) => {
      const offer = storeCreditOffer(
        settings,
        10_000,
        { pointsPerUnit },
        currency,
      );
      if (offer === null) throw new Error("nothing offered");
      for (
        let points = offer.minPoints;
        points <= offer.maxPoints;
        points += offer.stepPoints
      ) {
        expect(
          chooseStoreCredit(settings, points, { pointsPerUnit }, currency),
        ).toEqual({ ok: true, points, amountMinor: shown(offer, points) });
      }
    },
  );
});
