import type { Translate } from "./locale";
import type { RedeemPanel } from "./redeem";
import type { Choice } from "./session";
import { Lines, Notice, Row } from "./ui";

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
  const { slider, busy } = panel;
  return (
    <s-stack gap="base">
      {panel.problem !== null && (
        <Notice tone="critical" text={panel.problem} />
      )}
      {panel.rewards.map((reward) => (
        <Row key={reward.id}>
          <Lines main={reward.title} detail={reward.cost} />
          <s-button
            variant="secondary"
            accessibilityLabel={t("redeem.applyReward", {
              reward: reward.title,
            })}
            disabled={!reward.enabled || busy}
            loading={busy}
            onClick={() => on.onApply({ rewardId: reward.id })}
          >
            {t("redeem.apply")}
          </s-button>
        </Row>
      ))}
      {slider !== null && (
        <s-number-field
          label={t("redeem.sliderLabel")}
          min={slider.min}
          max={slider.max}
          step={slider.step}
          value={String(slider.points)}
          onChange={(event) => on.onSliderChange(Number(fieldValue(event)))}
        />
      )}
      {slider !== null && (
        <Row>
          <s-text>{slider.label}</s-text>
          <s-button
            variant="secondary"
            disabled={busy}
            loading={busy}
            onClick={() => on.onApply({ points: slider.points })}
          >
            {t("redeem.apply")}
          </s-button>
        </Row>
      )}
      {panel.shortfall !== null && (
        <s-text color="subdued">{panel.shortfall}</s-text>
      )}
    </s-stack>
  );
}

export function fieldValue(event: Event): string {
  const target = event.currentTarget;
  return target !== null &&
    "value" in target &&
    typeof target.value === "string"
    ? target.value
    : "";
}
