import "@shopify/ui-extensions/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { renderPoints, type PointsProps } from "../../shared/extension-root";
import { subtotalMinor } from "../../shared/shopify-host";
import { useSessionState } from "../../shared/use-session";
import {
  canUpdateDiscountCodes,
  createCheckoutSession,
} from "./checkout-session";
import { CheckoutBlock } from "./CheckoutBlock";
import { checkoutView } from "./view";

export default renderPoints(() => shopify.i18n, Points);

function Points({ network, locale }: PointsProps) {
  const session = useMemo(
    () => createCheckoutSession(shopify, network, () => crypto.randomUUID()),
    [network],
  );
  const state = useSessionState(session);
  const [sliderPoints, setSliderPoints] = useState<number | null>(null);
  // Reading the signal here re-renders on cart changes, and the earn estimate follows the subtotal.
  const subtotal = subtotalMinor(shopify);
  useEffect(() => {
    void session.load(subtotal);
  }, [session, subtotal]);

  const view = checkoutView({
    state,
    sliderPoints,
    canUpdateDiscountCodes: canUpdateDiscountCodes(shopify),
    locale,
  });
  return (
    <CheckoutBlock
      view={view}
      t={locale.t}
      on={{
        onApply: (choice) => void session.apply(choice),
        onRemove: () => void session.release(),
        onSliderChange: setSliderPoints,
      }}
    />
  );
}
