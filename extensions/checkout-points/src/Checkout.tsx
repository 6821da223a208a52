import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { configuredAppUrl } from "../../shared/config";
import { createLocale, type Locale } from "../../shared/locale";
import { subtotalMinor } from "../../shared/shopify-host";
import { useSessionState } from "../../shared/use-session";
import { Notice } from "../../shared/ui";
import {
  canUpdateDiscountCodes,
  createCheckoutSession,
} from "./checkout-session";
import { CheckoutBlock } from "./CheckoutBlock";
import { checkoutView } from "./view";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  const locale = useMemo(() => createLocale(shopify.i18n), []);
  const appUrl = configuredAppUrl();
  if (appUrl === null)
    return <Notice tone="critical" text={locale.t("errors.notConfigured")} />;
  return <Points appUrl={appUrl} locale={locale} />;
}

function Points({ appUrl, locale }: { appUrl: string; locale: Locale }) {
  const session = useMemo(
    // fetch is wrapped so it is never called with another `this` ("Illegal invocation").
    () =>
      createCheckoutSession(
        shopify,
        { appUrl, fetch: (...args) => fetch(...args) },
        () => crypto.randomUUID(),
      ),
    [appUrl],
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
