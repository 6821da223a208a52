import {
  pointsWorth,
  type Challenge,
  type LedgerLine,
  type Loyalty,
  type OpenRedemption,
  type StoreCredit,
} from "../../shared/api";
import type { Locale } from "../../shared/locale";
import { describeFailure } from "../../shared/problems";
import {
  describeValue,
  redeemPanel,
  snapSliderPoints,
  type RedeemPanel,
  type SliderOption,
} from "../../shared/redeem";
import type { SessionState } from "../../shared/session";
import type { BirthdayState } from "./birthday";
import type { CreditOutcome, StoreCreditState } from "./store-credit";
import {
  blockView,
  type ReadyView,
  type WaitingView,
} from "../../shared/summary";

export interface CodeView {
  id: string;
  code: string;
  /** "$5.00 off, use it by Nov 29, 2026" */
  detail: string;
}

export interface HistoryLine {
  label: string;
  date: string;
  points: string;
}

export interface ReferralView {
  code: string;
  url: string;
}

export interface ChallengeLine {
  id: string;
  title: string;
  /** "1 of 2 orders", "$30.00 of $50.00 spent" */
  progress: string;
  /** "100 points if completed by Dec 31, 2026", or that they were earned. */
  detail: string;
}

export interface BirthdayView {
  /** YYYY-MM-DD, empty when not given yet. */
  value: string;
  saving: boolean;
  note: { tone: "success" | "critical"; text: string } | null;
}

export interface Note {
  tone: "info" | "success" | "critical";
  text: string;
}

export interface StoreCreditView {
  /** Null while the shopper has too few points to convert; `shortfall` then says how many more. */
  chooser: SliderOption | null;
  shortfall: string | null;
  busy: boolean;
  note: Note | null;
}

export type AccountRedeem =
  | { kind: "none" }
  | { kind: "notice"; text: string }
  | { kind: "choose"; panel: RedeemPanel };

export interface AccountDetails {
  held: string | null;
  /** The code just created, shown first so the shopper can copy it. */
  issued: CodeView | null;
  /** Codes created earlier and not used yet. */
  codes: CodeView[];
  redeem: AccountRedeem;
  /** Null when the shop does not offer store credit. */
  storeCredit: StoreCreditView | null;
  referral: ReferralView | null;
  challenges: ChallengeLine[];
  history: HistoryLine[];
  birthday: BirthdayView;
}

export type AccountView = WaitingView | ReadyView<AccountDetails>;

/** What the held points wait for: the shopper's unused codes, a store credit Shopify has yet to confirm, or both. */
function heldLine(loyalty: Loyalty, { t, points }: Locale): string | null {
  const { held } = loyalty.points;
  if (held <= 0) return null;
  const credit = Math.min(loyalty.heldForStoreCredit, held);
  if (credit === 0) return t("balance.held", { points: points(held) });
  if (credit === held)
    return t("balance.heldForStoreCredit", { points: points(held) });
  return t("balance.heldForBoth", {
    points: points(held),
    codes: points(held - credit),
    credit: points(credit),
  });
}

export function accountView(
  state: SessionState,
  sliderPoints: number | null,
  locale: Locale,
  birthday: BirthdayState = { value: null, status: "idle", error: null },
  credit: StoreCreditState = { points: null, busy: false, outcome: null },
): AccountView {
  const { t } = locale;
  return blockView(state, locale, (loyalty, flow): AccountDetails => {
    const issued = flow.step === "choosing" ? flow.issued : null;
    const panel = redeemPanel(loyalty, flow, sliderPoints, locale);
    return {
      held: heldLine(loyalty, locale),
      issued: issued === null ? null : codeView(issued, loyalty, locale),
      codes: loyalty.openRedemptions
        .filter((redemption) => redemption.id !== issued?.id)
        .map((redemption) => codeView(redemption, loyalty, locale)),
      redeem: !loyalty.enabled
        ? { kind: "notice", text: t("program.disabled") }
        : panel === null
          ? { kind: "none" }
          : { kind: "choose", panel },
      storeCredit:
        loyalty.storeCredit === null
          ? null
          : storeCreditView(loyalty.storeCredit, loyalty, credit, locale),
      referral: loyalty.referral,
      challenges: loyalty.challenges.map((challenge) =>
        challengeLine(challenge, loyalty.currency, locale),
      ),
      history: loyalty.recent.map((line) => historyLine(line, locale)),
      birthday: {
        value: birthday.value ?? loyalty.birthday ?? "",
        saving: birthday.status === "saving",
        note:
          birthday.status === "saved"
            ? { tone: "success", text: t("birthday.saved") }
            : birthday.status === "failed"
              ? { tone: "critical", text: birthday.error ?? "" }
              : null,
      },
    };
  });
}

function storeCreditView(
  offer: StoreCredit,
  loyalty: Loyalty,
  credit: StoreCreditState,
  locale: Locale,
): StoreCreditView {
  const note =
    credit.outcome === null ? null : creditNote(credit.outcome, locale);
  if (offer.maxPoints < offer.minPoints)
    return {
      chooser: null,
      shortfall: locale.t("storeCredit.shortfall", {
        points: locale.points(offer.minPoints - loyalty.points.available),
      }),
      busy: false,
      note,
    };
  // The smallest choice unless the shopper picks another: points turned into credit stay credit.
  const points = snapSliderPoints(offer, credit.points ?? offer.minPoints);
  return {
    chooser: {
      min: offer.minPoints,
      max: offer.maxPoints,
      step: offer.stepPoints,
      points,
      label: locale.t("storeCredit.value", {
        points: locale.points(points),
        amount: locale.money(
          pointsWorth(offer.price, points),
          loyalty.currency,
        ),
      }),
    },
    shortfall: null,
    busy: credit.busy,
    note,
  };
}

function creditNote(outcome: CreditOutcome, locale: Locale): Note {
  const { t } = locale;
  if (outcome.ok) {
    const { conversion } = outcome;
    const words = {
      amount: locale.money(conversion.amountMinor, conversion.currency),
      points: locale.points(conversion.points),
    };
    return conversion.status === "POSTED"
      ? { tone: "success", text: t("storeCredit.credited", words) }
      : { tone: "info", text: t("storeCredit.unconfirmed", words) };
  }
  const { failure } = outcome;
  if (failure.answered)
    switch (failure.code) {
      case "SHOPIFY_REFUSED":
        return { tone: "critical", text: t("storeCredit.refused") };
      case "STORE_CREDIT_OFF":
        return { tone: "critical", text: t("storeCredit.off") };
      case "INSUFFICIENT_POINTS":
        if (failure.available !== null)
          return {
            tone: "critical",
            text: t("storeCredit.insufficient", {
              points: locale.points(failure.available),
            }),
          };
    }
  return { tone: "critical", text: describeFailure(failure, locale) };
}

function challengeLine(
  challenge: Challenge,
  currency: string,
  locale: Locale,
): ChallengeLine {
  const { t } = locale;
  const points = locale.points(challenge.bonusPoints);
  return {
    id: challenge.id,
    title: challenge.title,
    progress:
      challenge.kind === "ORDER_COUNT"
        ? t("challenges.orders", {
            progress: challenge.progress,
            target: challenge.target,
          })
        : t("challenges.spend", {
            progress: locale.money(challenge.progress, currency),
            target: locale.money(challenge.target, currency),
          }),
    detail: challenge.completed
      ? t("challenges.completed", { points })
      : t("challenges.reward", { points, date: locale.date(challenge.endsAt) }),
  };
}

function codeView(
  redemption: OpenRedemption,
  loyalty: Loyalty,
  locale: Locale,
): CodeView {
  return {
    id: redemption.id,
    code: redemption.code,
    detail: locale.t("codes.detail", {
      value: describeValue(redemption.value, loyalty.currency, locale),
      date: locale.date(redemption.expiresAt),
    }),
  };
}

function historyLine(line: LedgerLine, locale: Locale): HistoryLine {
  return {
    label: ledgerLabel(line, locale),
    date: locale.date(line.occurredAt),
    points: locale.signed(line.points),
  };
}

function ledgerLabel(line: LedgerLine, locale: Locale): string {
  const { t } = locale;
  const order = line.orderName ?? null;
  switch (line.kind) {
    case "EARN":
      return order === null
        ? t("history.earn")
        : t("history.earnOrder", { order });
    case "REDEEM":
      return t("history.redeem");
    case "STORE_CREDIT":
      return t("history.storeCredit");
    case "RELEASE":
      return t("history.release");
    case "REFUND":
      return order === null
        ? t("history.refund")
        : t("history.refundOrder", { order });
    case "CANCEL":
      return order === null
        ? t("history.cancel")
        : t("history.cancelOrder", { order });
    case "ADJUST":
      return t("history.adjust");
    case "EXPIRE":
      return t("history.expire");
    case "BONUS":
      return t("history.bonus");
    case "TIER_REWARD":
      return t("history.tierReward");
  }
}
