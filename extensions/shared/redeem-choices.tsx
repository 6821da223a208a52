import type { Translate } from "./locale";
import type { RedeemPanel, SliderOption } from "./redeem";
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
        <PointsChooser
          option={slider}
          label={t("redeem.sliderLabel")}
          action={t("redeem.apply")}
          busy={busy}
          onChange={on.onSliderChange}
          onSubmit={() => on.onApply({ points: slider.points })}
        />
      )}
      {panel.shortfall !== null && (
        <s-text color="subdued">{panel.shortfall}</s-text>
      )}
    </s-stack>
  );
}

/** A number of points picked in steps, what they are worth, and the button that uses them. */
export function PointsChooser({
  option,
  label,
  action,
  busy,
  onChange,
  onSubmit,
}: {
  option: SliderOption;
  label: string;
  action: string;
  busy: boolean;
  onChange(points: number): void;
  onSubmit(): void;
}) {
  return (
    <>
      <s-number-field
        label={label}
        min={option.min}
        max={option.max}
        step={option.step}
        value={String(option.points)}
        onChange={(event) => onChange(Number(fieldValue(event)))}
      />
      <Row>
        <s-text>{option.label}</s-text>
        <s-button
          variant="secondary"
          disabled={busy}
          loading={busy}
          onClick={onSubmit}
        >
          {action}
        </s-button>
      </Row>
    </>
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
