import type { Translate } from "../../shared/locale";
import { Loading, Notice, TierProgress } from "../../shared/ui";
import type { OrderPointsView } from "./order-points";

export function OrderPointsBlock({
  view,
  t,
}: {
  view: OrderPointsView;
  t: Translate;
}) {
  switch (view.kind) {
    case "hidden":
      return null;
    case "loading":
      return <Loading t={t} />;
    case "notice":
      return <Notice tone={view.tone} text={view.text} />;
  }
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="base">
        {view.order !== null && <s-text type="strong">{view.order}</s-text>}
        <s-stack gap="none">
          <s-text>{view.balance}</s-text>
          {view.pending !== null && (
            <s-text color="subdued">{view.pending}</s-text>
          )}
        </s-stack>
        {view.tier !== null && <TierProgress tier={view.tier} t={t} />}
      </s-stack>
    </s-section>
  );
}
