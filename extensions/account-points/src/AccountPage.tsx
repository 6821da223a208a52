import type { Translate } from "../../shared/locale";
import {
  fieldValue,
  PointsChooser,
  RedeemChoices,
  type RedeemHandlers,
} from "../../shared/redeem-choices";
import {
  BalanceLines,
  Lines,
  Notice,
  Row,
  TierProgress,
  WaitingBlock,
} from "../../shared/ui";
import type {
  AccountView,
  BirthdayView,
  CodeView,
  ReferralView,
  StoreCreditView,
} from "./view";

export interface StoreCreditHandlers {
  onCreditPointsChange(points: number): void;
  onConvert(points: number): void;
}

export interface BirthdayHandlers {
  onBirthdayChange(value: string): void;
  onBirthdaySave(): void;
}

export type AccountHandlers = RedeemHandlers &
  StoreCreditHandlers &
  BirthdayHandlers;

export function AccountPage({
  view,
  t,
  on,
}: {
  view: AccountView;
  t: Translate;
  on: AccountHandlers;
}) {
  return (
    <s-page heading={t("heading")}>
      {view.kind === "ready" ? (
        <Points view={view} t={t} on={on} />
      ) : (
        <WaitingBlock view={view} t={t} />
      )}
    </s-page>
  );
}

function Points({
  view,
  t,
  on,
}: {
  view: Extract<AccountView, { kind: "ready" }>;
  t: Translate;
  on: AccountHandlers;
}) {
  const { redeem } = view;
  return (
    <s-stack gap="large">
      <s-section heading={t("balance.heading")}>
        <s-stack gap="base">
          <BalanceLines summary={view.summary} />
          {view.held !== null && <s-text color="subdued">{view.held}</s-text>}
          {view.summary.tier !== null && (
            <TierProgress tier={view.summary.tier} t={t} />
          )}
        </s-stack>
      </s-section>
      {view.issued !== null && (
        <s-banner tone="success" heading={t("codes.issued")}>
          <Code code={view.issued} t={t} />
        </s-banner>
      )}
      {redeem.kind !== "none" && (
        <s-section heading={t("redeem.heading")}>
          {redeem.kind === "notice" ? (
            <Notice tone="info" text={redeem.text} />
          ) : (
            <RedeemChoices panel={redeem.panel} t={t} on={on} />
          )}
        </s-section>
      )}
      {view.storeCredit !== null && (
        <StoreCredit credit={view.storeCredit} t={t} on={on} />
      )}
      {view.codes.length > 0 && (
        <s-section heading={t("codes.heading")}>
          <s-stack gap="base">
            {view.codes.map((code) => (
              <Code key={code.id} code={code} t={t} />
            ))}
          </s-stack>
        </s-section>
      )}
      {view.referral !== null && <Invite referral={view.referral} t={t} />}
      {view.challenges.length > 0 && (
        <s-section heading={t("challenges.heading")}>
          <s-stack gap="base">
            {view.challenges.map((challenge) => (
              <Row key={challenge.id}>
                <Lines main={challenge.title} detail={challenge.detail} />
                <s-text type="strong">{challenge.progress}</s-text>
              </Row>
            ))}
          </s-stack>
        </s-section>
      )}
      <Birthday birthday={view.birthday} t={t} on={on} />
      <s-section heading={t("history.heading")}>
        {view.history.length === 0 ? (
          <s-text color="subdued">{t("history.empty")}</s-text>
        ) : (
          <s-stack gap="small-200">
            {view.history.map((line, index) => (
              <Row key={index}>
                <Lines main={line.label} detail={line.date} />
                <s-text type="strong">{line.points}</s-text>
              </Row>
            ))}
          </s-stack>
        )}
      </s-section>
    </s-stack>
  );
}

function StoreCredit({
  credit,
  t,
  on,
}: {
  credit: StoreCreditView;
  t: Translate;
  on: StoreCreditHandlers;
}) {
  const { chooser } = credit;
  return (
    <s-section heading={t("storeCredit.heading")}>
      <s-stack gap="base">
        <s-text color="subdued">{t("storeCredit.hint")}</s-text>
        {credit.note !== null && (
          <Notice tone={credit.note.tone} text={credit.note.text} />
        )}
        {chooser !== null && (
          <PointsChooser
            option={chooser}
            label={t("storeCredit.label")}
            action={t("storeCredit.convert")}
            busy={credit.busy}
            onChange={on.onCreditPointsChange}
            onSubmit={() => on.onConvert(chooser.points)}
          />
        )}
        {credit.shortfall !== null && (
          <s-text color="subdued">{credit.shortfall}</s-text>
        )}
      </s-stack>
    </s-section>
  );
}

function Birthday({
  birthday,
  t,
  on,
}: {
  birthday: BirthdayView;
  t: Translate;
  on: BirthdayHandlers;
}) {
  return (
    <s-section heading={t("birthday.heading")}>
      <s-stack gap="base">
        <s-text color="subdued">{t("birthday.hint")}</s-text>
        <s-date-field
          label={t("birthday.label")}
          name="birthday"
          value={birthday.value}
          onChange={(event) => on.onBirthdayChange(fieldValue(event))}
        />
        {birthday.note !== null && (
          <Notice tone={birthday.note.tone} text={birthday.note.text} />
        )}
        <s-button
          variant="secondary"
          disabled={birthday.saving || birthday.value === ""}
          loading={birthday.saving}
          onClick={() => on.onBirthdaySave()}
        >
          {t("birthday.save")}
        </s-button>
      </s-stack>
    </s-section>
  );
}

function Code({ code, t }: { code: CodeView; t: Translate }) {
  const clipboardId = `code-${code.id}`;
  return (
    <Row>
      <Lines main={code.code} detail={code.detail} strong />
      <s-clipboard-item id={clipboardId} text={code.code} />
      <s-button
        variant="secondary"
        command="--copy"
        commandFor={clipboardId}
        accessibilityLabel={t("codes.copyCode", { code: code.code })}
      >
        {t("codes.copy")}
      </s-button>
    </Row>
  );
}

function Invite({ referral, t }: { referral: ReferralView; t: Translate }) {
  return (
    <s-section heading={t("referral.heading")}>
      <s-stack gap="base">
        <s-text>{t("referral.text")}</s-text>
        <Row>
          <Lines
            main={t("referral.code", { code: referral.code })}
            detail={referral.url}
            strong
          />
          <s-clipboard-item id="referral-link" text={referral.url} />
          <s-button
            variant="secondary"
            command="--copy"
            commandFor="referral-link"
            accessibilityLabel={t("referral.copyLink")}
          >
            {t("referral.copy")}
          </s-button>
        </Row>
      </s-stack>
    </s-section>
  );
}
