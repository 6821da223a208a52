import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { configuredAppUrl } from "../../shared/config";
import { createLocale, type Locale } from "../../shared/locale";
import { useSessionState } from "../../shared/use-session";
import { Notice } from "../../shared/ui";
import { createAccountSession } from "./account-session";
import { AccountPage } from "./AccountPage";
import { accountView } from "./view";

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
      createAccountSession(
        shopify,
        { appUrl, fetch: (...args) => fetch(...args) },
        () => crypto.randomUUID(),
      ),
    [appUrl],
  );
  const state = useSessionState(session);
  const [sliderPoints, setSliderPoints] = useState<number | null>(null);
  useEffect(() => {
    void session.load();
  }, [session]);
  return (
    <AccountPage
      view={accountView(state, sliderPoints, locale)}
      t={locale.t}
      on={{
        onApply: (choice) => void session.apply(choice),
        onSliderChange: setSliderPoints,
      }}
    />
  );
}
