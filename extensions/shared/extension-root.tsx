import { render, type ComponentType } from "preact";
import { useMemo } from "preact/hooks";
import { configuredAppUrl } from "./config";
import { createLocale, type I18nLike, type Locale } from "./locale";
import type { Network } from "./shopify-host";
import { Notice } from "./ui";

export interface PointsProps {
  network: Network;
  locale: Locale;
}

/**
 * A points extension's default export: `Points` gets the buyer's locale and the way to the app,
 * or, when the build was given no app URL, the merchant sees why nothing loads instead of
 * requests going nowhere. `i18n` is a function because Shopify's `shopify` global, typed only in
 * each extension's entry, is there when the extension renders, not necessarily when it loads.
 */
export const renderPoints =
  (i18n: () => I18nLike, Points: ComponentType<PointsProps>) => async () => {
    render(<Configured i18n={i18n} Points={Points} />, document.body);
  };

function Configured({
  i18n,
  Points,
}: {
  i18n: () => I18nLike;
  Points: ComponentType<PointsProps>;
}) {
  const locale = useMemo(() => createLocale(i18n()), [i18n]);
  const appUrl = configuredAppUrl();
  // fetch is wrapped so it is never called with another `this` ("Illegal invocation").
  const network = useMemo(
    () =>
      appUrl === null
        ? null
        : {
            appUrl,
            fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
          },
    [appUrl],
  );
  if (network === null)
    return <Notice tone="critical" text={locale.t("errors.notConfigured")} />;
  return <Points network={network} locale={locale} />;
}
