import {
  clientFor,
  type CartCostApi,
  type HostApi,
  type Network,
  type Readable,
} from "../../shared/shopify-host";
import {
  createLoyaltySession,
  type LoyaltySession,
} from "../../shared/session";

type DiscountCodeChange = {
  type: "addDiscountCode" | "removeDiscountCode";
  code: string;
};

export interface CheckoutApi extends HostApi, CartCostApi {
  applyDiscountCodeChange(
    change: DiscountCodeChange,
  ): Promise<{ type: "success" } | { type: "error"; message: string }>;
  discountCodes: Readable<{ code: string }[]>;
  checkoutToken: Readable<string | undefined>;
  instructions: Readable<{ discounts: { canUpdateDiscountCodes: boolean } }>;
}

export function createCheckoutSession(
  api: CheckoutApi,
  network: Network,
  newKey: () => string,
): LoyaltySession {
  async function change(change: DiscountCodeChange): Promise<boolean> {
    try {
      return (await api.applyDiscountCodeChange(change)).type === "success";
    } catch {
      return false;
    }
  }
  return createLoyaltySession({
    client: clientFor(api, network),
    surface: "checkout",
    newKey,
    checkoutToken: () => api.checkoutToken.value,
    codes: {
      add: (code) => change({ type: "addDiscountCode", code }),
      remove: (code) => change({ type: "removeDiscountCode", code }),
      // Shopify treats codes case-insensitively, and may show them upper-cased.
      has: (code) =>
        api.discountCodes.value.some(
          (applied) => applied.code.toLowerCase() === code.toLowerCase(),
        ),
    },
  });
}

/**
 * False in express checkouts (Shop Pay, Apple Pay…) and wherever the merchant's checkout does not
 * let extensions change discount codes; applying would fail there after holding the points.
 * https://shopify.dev/docs/api/checkout-ui-extensions/latest/apis/cart-instructions
 */
export function canUpdateDiscountCodes(api: CheckoutApi): boolean {
  return api.instructions.value.discounts.canUpdateDiscountCodes;
}
