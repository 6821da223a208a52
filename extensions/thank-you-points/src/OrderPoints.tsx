import { useEffect, useMemo, useState } from "preact/hooks";
import { configuredAppUrl } from "../../shared/config";
import { createLocale } from "../../shared/locale";
import type { LoadState } from "../../shared/session";
import { Notice } from "../../shared/ui";
import {
  orderPointsView,
  readOrderPoints,
  type OrderPointsApi,
} from "./order-points";
import { OrderPointsBlock } from "./OrderPointsBlock";

/** The block both targets render; each passes its `shopify` object and what it knows of the order. */
export function OrderPoints({
  api,
  orderName,
}: {
  api: OrderPointsApi;
  orderName: string | null;
}) {
  const locale = useMemo(() => createLocale(api.i18n), [api]);
  const appUrl = configuredAppUrl();
  const [load, setLoad] = useState<LoadState>({ status: "loading" });
  useEffect(() => {
    if (appUrl === null) return;
    // fetch is wrapped so it is never called with another `this` ("Illegal invocation").
    void readOrderPoints(api, {
      appUrl,
      fetch: (...args) => fetch(...args),
    }).then(setLoad);
  }, [api, appUrl]);
  if (appUrl === null)
    return <Notice tone="critical" text={locale.t("errors.notConfigured")} />;
  return (
    <OrderPointsBlock
      view={orderPointsView(load, orderName, locale)}
      t={locale.t}
    />
  );
}
