// Presentational pieces shared by the three extensions. They hold no state and call no API:
// what to show is decided in the view modules, and these only lay it out.
import type { ComponentChildren } from "preact";
import type { Translate } from "./locale";
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

/** Something to read at the start, an action or an amount at the end. */
export function Row({ children }: { children: ComponentChildren }) {
  return (
    <s-stack
      direction="inline"
      gap="base"
      alignItems="center"
      justifyContent="space-between"
    >
      {children}
    </s-stack>
  );
}

/** A line and, under it, a quieter detail line when there is one. */
export function Lines({
  main,
  detail,
  strong,
}: {
  main: string;
  detail: string | null;
  strong?: boolean;
}) {
  return (
    <s-stack gap="none">
      <s-text type={strong === true ? "strong" : "generic"}>{main}</s-text>
      {detail !== null && <s-text color="subdued">{detail}</s-text>}
    </s-stack>
  );
}

export function WaitingBlock({ view, t }: { view: WaitingView; t: Translate }) {
  switch (view.kind) {
    case "hidden":
      return null;
    case "loading":
      return <s-spinner accessibilityLabel={t("loading")} />;
    case "notice":
      return <Notice tone={view.tone} text={view.text} />;
  }
}

export function BalanceLines({ summary }: { summary: BalanceSummary }) {
  return (
    <s-stack gap="none">
      <Lines main={summary.balance} detail={summary.pending} strong />
      {summary.expiring !== null && (
        <s-text color="subdued">{summary.expiring}</s-text>
      )}
    </s-stack>
  );
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
