import type { OrderForEarning } from "./earn-rule";
import { toSafeNumber } from "./rounding";

export interface OrderValue {
  /** What the buyer paid: lines after every discount (points included), shipping, taxes, tips. */
  totalMinor: number;
  /** The part of the lines' price this app's points discount took off. */
  pointsDiscountMinor: number;
}

/** An order's value for the merchant's numbers (revenue from orders that used points). */
export function orderValue(order: OrderForEarning): OrderValue {
  let lines = 0n;
  let pointsDiscount = 0n;
  for (const line of order.lines) {
    lines +=
      BigInt(line.unitPriceMinor) * BigInt(line.quantity) -
      BigInt(line.discountMinor) -
      BigInt(line.loyaltyDiscountMinor);
    pointsDiscount += BigInt(line.loyaltyDiscountMinor);
  }
  const extras =
    BigInt(order.shippingMinor) +
    BigInt(order.taxMinor) +
    BigInt(order.tipMinor);
  return {
    totalMinor: toSafeNumber(lines + extras),
    pointsDiscountMinor: toSafeNumber(pointsDiscount),
  };
}
