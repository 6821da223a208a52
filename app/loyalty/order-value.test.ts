import { describe, expect, it } from "vitest";
import { orderValue } from "./order-value";

const line = {
  quantity: 2,
  unitPriceMinor: 1_500,
  discountMinor: 300,
  loyaltyDiscountMinor: 0,
  isGiftCard: false,
};

describe("an order's value", () => {
  it("is what the buyer paid: lines after all discounts, plus shipping, taxes and tips", () => {
    expect(
      orderValue({
        currency: "USD",
        lines: [
          line,
          { ...line, quantity: 1, discountMinor: 0, loyaltyDiscountMinor: 500 },
        ],
        shippingMinor: 690,
        taxMinor: 120,
        tipMinor: 100,
      }),
    ).toEqual({
      totalMinor: 2_700 + 1_000 + 690 + 120 + 100,
      pointsDiscountMinor: 500,
    });
  });

  it("has no points discount when no app code was used", () => {
    expect(
      orderValue({
        currency: "USD",
        lines: [line],
        shippingMinor: 0,
        taxMinor: 0,
        tipMinor: 0,
      }).pointsDiscountMinor,
    ).toBe(0);
  });
});
