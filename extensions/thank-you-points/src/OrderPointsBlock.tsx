import type { Translate } from "../../shared/locale";
import { BalanceLines, TierProgress, WaitingBlock } from "../../shared/ui";
import type { OrderPointsView } from "./order-points";

export function OrderPointsBlock({
  view,
  t,
}: {
  view: OrderPointsView;
  t: Translate;
}) {
  if (view.kind !== "ready") return <WaitingBlock view={view} t={t} />;
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="base">
        {view.order !== null && <s-text type="strong">{view.order}</s-text>}
        <BalanceLines summary={view.summary} />
        {view.summary.tier !== null && (
          <TierProgress tier={view.summary.tier} t={t} />
        )}
      </s-stack>
    </s-section>
  );
}
