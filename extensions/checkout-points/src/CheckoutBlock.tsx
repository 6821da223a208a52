import type { Translate } from "../../shared/locale";
import {
  RedeemChoices,
  type RedeemHandlers,
} from "../../shared/redeem-choices";
import {
  BalanceLines,
  Notice,
  Row,
  TierProgress,
  WaitingBlock,
} from "../../shared/ui";
import type { CheckoutView } from "./view";

export interface CheckoutHandlers extends RedeemHandlers {
  onRemove(): void;
}

export function CheckoutBlock({
  view,
  t,
  on,
}: {
  view: CheckoutView;
  t: Translate;
  on: CheckoutHandlers;
}) {
  if (view.kind !== "ready") return <WaitingBlock view={view} t={t} />;
  const { redeem } = view;
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="base">
        <BalanceLines summary={view.summary} />
        {view.earn !== null && <s-text>{view.earn}</s-text>}
        {view.summary.tier !== null && (
          <TierProgress tier={view.summary.tier} t={t} />
        )}
        {redeem.kind === "notice" && <Notice tone="info" text={redeem.text} />}
        {redeem.kind === "held" && (
          <s-stack gap="small-200">
            {redeem.problem !== null && (
              <Notice tone="critical" text={redeem.problem} />
            )}
            <Row>
              <s-text>{redeem.text}</s-text>
              <s-button
                variant="secondary"
                loading={redeem.busy}
                disabled={redeem.busy}
                onClick={on.onRemove}
              >
                {t("redeem.remove")}
              </s-button>
            </Row>
          </s-stack>
        )}
        {redeem.kind === "choose" && (
          <RedeemChoices panel={redeem.panel} t={t} on={on} />
        )}
      </s-stack>
    </s-section>
  );
}
