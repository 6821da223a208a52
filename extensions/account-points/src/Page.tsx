import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { configuredAppUrl } from "../../shared/config";
import { clientFor } from "../../shared/shopify-host";
import { createLocale, type Locale } from "../../shared/locale";
import { useSessionState } from "../../shared/use-session";
import { Notice } from "../../shared/ui";
import { createAccountSession } from "./account-session";
import { createBirthdayForm } from "./birthday";
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
  // fetch is wrapped so it is never called with another `this` ("Illegal invocation").
  const network = useMemo(
    () => ({
      appUrl,
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
    }),
    [appUrl],
  );
  const session = useMemo(
    () => createAccountSession(shopify, network, () => crypto.randomUUID()),
    [network],
  );
  const form = useMemo(
    () =>
      createBirthdayForm(clientFor(shopify, network), locale, () =>
        setBirthday(form.state()),
      ),
    [network, locale],
  );
  const [birthday, setBirthday] = useState(() => form.state());
  const state = useSessionState(session);
  const [sliderPoints, setSliderPoints] = useState<number | null>(null);
  useEffect(() => {
    void session.load();
  }, [session]);
  return (
    <AccountPage
      view={accountView(state, sliderPoints, locale, birthday)}
      t={locale.t}
      on={{
        onApply: (choice) => void session.apply(choice),
        onSliderChange: setSliderPoints,
        onBirthdayChange: (value) => form.change(value),
        onBirthdaySave: () =>
          void form.save(
            state.load.status === "ready" ? state.load.loyalty.birthday : null,
          ),
      }}
    />
  );
}
