// Presentational pieces shared by the three extensions. They hold no state and call no API:
// what to show is decided in the view modules, and these only lay it out.
import type { Choice } from "./session";
import type { Translate } from "./locale";
import type { RedeemPanel } from "./redeem";
import type { BalanceSummary, WaitingView } from "./summary";
import type { TierSummary } from "./tier";

export function Notice({
  tone,
  text,
}: {
  tone: "info" | "success" | "critical";
  text: string;
}) {
  return (
    <s-banner tone={tone}>
      <s-text>{text}</s-text>
    </s-banner>
  );
}

function Loading({ t }: { t: Translate }) {
  return <s-spinner accessibilityLabel={t("loading")} />;
}

export function TierProgress({ tier, t }: { tier: TierSummary; t: Translate }) {
  return (
    <s-stack gap="small-200">
      <s-text type="strong">{t("tier.current", { tier: tier.name })}</s-text>
      <s-progress value={tier.fraction} accessibilityLabel={tier.line} />
      <s-text color="subdued">{tier.line}</s-text>
    </s-stack>
  );
}

export interface RedeemHandlers {
  onApply(choice: Choice): void;
  onSliderChange(points: number): void;
}

export function RedeemChoices({
  panel,
  t,
  on,
}: {
  panel: RedeemPanel;
  t: Translate;
  on: RedeemHandlers;
}) {
  const { slider } = panel;
  return (
    <s-stack gap="base">
      {panel.problem !== null && (
        <Notice tone="critical" text={panel.problem} />
      )}
      {panel.rewards.map((reward) => (
        <s-stack
          key={reward.id}
          direction="inline"
          gap="base"
          alignItems="center"
          justifyContent="space-between"
        >
          <s-stack gap="none">
            <s-text>{reward.title}</s-text>
            <s-text color="subdued">{reward.cost}</s-text>
          </s-stack>
          <s-button
            variant="secondary"
            accessibilityLabel={t("redeem.applyReward", {
              reward: reward.title,
            })}
            disabled={!reward.enabled || panel.busy}
            loading={panel.busy}
            onClick={() => on.onApply({ rewardId: reward.id })}
          >
            {t("redeem.apply")}
          </s-button>
        </s-stack>
      ))}
      {slider !== null && (
        <s-stack gap="small-200">
          <s-number-field
            label={t("redeem.sliderLabel")}
            min={slider.min}
            max={slider.max}
            step={slider.step}
            value={String(slider.points)}
            onChange={(event) => on.onSliderChange(Number(fieldValue(event)))}
          />
          <s-stack
            direction="inline"
            gap="base"
            alignItems="center"
            justifyContent="space-between"
          >
            <s-text>{slider.label}</s-text>
            <s-button
              variant="secondary"
              disabled={panel.busy}
              loading={panel.busy}
              onClick={() => on.onApply({ points: slider.points })}
            >
              {t("redeem.apply")}
            </s-button>
          </s-stack>
        </s-stack>
      )}
      {panel.shortfall !== null && (
        <s-text color="subdued">{panel.shortfall}</s-text>
      )}
    </s-stack>
  );
}

function fieldValue(event: Event): string {
  const target = event.currentTarget;
  return target !== null &&
    "value" in target &&
    typeof target.value === "string"
    ? target.value
    : "";
}

export function WaitingBlock({ view, t }: { view: WaitingView; t: Translate }) {
  switch (view.kind) {
    case "hidden":
      return null;
    case "loading":
      return <Loading t={t} />;
    case "notice":
      return <Notice tone={view.tone} text={view.text} />;
  }
}

export function BalanceLines({ summary }: { summary: BalanceSummary }) {
  return (
    <s-stack gap="none">
      <s-text type="strong">{summary.balance}</s-text>
      {summary.pending !== null && (
        <s-text color="subdued">{summary.pending}</s-text>
      )}
    </s-stack>
  );
}
