import "@shopify/ui-extensions/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { renderPoints, type PointsProps } from "../../shared/extension-root";
import { clientFor } from "../../shared/shopify-host";
import { useSessionState } from "../../shared/use-session";
import { createAccountSession } from "./account-session";
import { createBirthdayForm } from "./birthday";
import { createStoreCreditForm } from "./store-credit";
import { AccountPage } from "./AccountPage";
import { accountView } from "./view";

export default renderPoints(() => shopify.i18n, Points);

function Points({ network, locale }: PointsProps) {
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
  const creditForm = useMemo(
    () =>
      createStoreCreditForm(clientFor(shopify, network), {
        newKey: () => crypto.randomUUID(),
        reload: () => session.load(),
        changed: () => setCredit(creditForm.state()),
      }),
    [network, session],
  );
  const [credit, setCredit] = useState(() => creditForm.state());
  const state = useSessionState(session);
  const [sliderPoints, setSliderPoints] = useState<number | null>(null);
  useEffect(() => {
    void session.load();
  }, [session]);
  return (
    <AccountPage
      view={accountView(state, sliderPoints, locale, birthday, credit)}
      t={locale.t}
      on={{
        onApply: (choice) => void session.apply(choice),
        onSliderChange: setSliderPoints,
        onCreditPointsChange: (points) => creditForm.choose(points),
        onConvert: (points) => void creditForm.convert(points),
        onBirthdayChange: (value) => form.change(value),
        onBirthdaySave: () =>
          void form.save(
            state.load.status === "ready" ? state.load.loyalty.birthday : null,
          ),
      }}
    />
  );
}
