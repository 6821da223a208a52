// The program settings form: the fields it owns, checked and merged into the shop's whole
// configuration in one transaction. Everything it does not own (tiers, redemption, parts other
// features add) is carried over untouched.
import { z } from "zod";
import type { Tx } from "~/db/client.server";
import { negativeBalancePolicySchema } from "~/loyalty/ledger";
import { toDecimalString, tryParseMoney } from "~/loyalty/money";
import { programConfigSchema, type ProgramConfig } from "~/loyalty/program";
import { roundingModeSchema } from "~/loyalty/rounding";
import { programConfig, saveProgramConfig } from "./program.server";

/** The form's fields, named as the page submits them. */
export interface ProgramSettings {
  enabled: boolean;
  earnPoints: number;
  /** The amount those points are earned per, as the merchant types it ("1.00"). */
  earnPerAmount: string;
  rounding: z.infer<typeof roundingModeSchema>;
  applyOrderDiscounts: boolean;
  includeShipping: boolean;
  includeTaxes: boolean;
  includeGiftCards: boolean;
  pendingDays: number;
  /** Empty: points never expire. */
  expiryDays: string;
  negativeBalancePolicy: z.infer<typeof negativeBalancePolicySchema>;
  signupBonusPoints: number;
}

export type SettingsField = keyof ProgramSettings;
export type FieldErrors = Partial<Record<SettingsField, string>>;

const checkbox = z
  .string()
  .optional()
  .transform((value) => value === "on" || value === "true");
const wholeNumber = (field: string, min: number, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .regex(/^\d+$/, `${field} must be a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `${field} must be at least ${min}`)
        .max(max, `${field} must be at most ${max.toLocaleString("en")}`),
    );

const formSchema = z.object({
  enabled: checkbox,
  earnPoints: wholeNumber("Points", 0, 1_000_000),
  earnPerAmount: z.string().trim(),
  rounding: roundingModeSchema,
  applyOrderDiscounts: checkbox,
  includeShipping: checkbox,
  includeTaxes: checkbox,
  includeGiftCards: checkbox,
  pendingDays: wholeNumber("Pending period", 0, 90),
  expiryDays: z.string().trim(),
  negativeBalancePolicy: negativeBalancePolicySchema,
  signupBonusPoints: wholeNumber("Signup bonus", 0, 1_000_000),
});

/** Where the configuration's own rules point, in the form's terms. */
const configPathToField: Record<string, SettingsField> = {
  enabled: "enabled",
  "earn.points": "earnPoints",
  "earn.perAmountMinor": "earnPerAmount",
  "earn.rounding": "rounding",
  pendingDays: "pendingDays",
  expiryDays: "expiryDays",
  negativeBalancePolicy: "negativeBalancePolicy",
  signupBonusPoints: "signupBonusPoints",
};

export function settingsOf(config: ProgramConfig): ProgramSettings {
  return {
    enabled: config.enabled,
    earnPoints: config.earn.points,
    earnPerAmount: toDecimalString({
      minor: config.earn.perAmountMinor,
      currency: config.currency,
    }),
    rounding: config.earn.rounding,
    applyOrderDiscounts: config.earn.applyOrderDiscounts,
    includeShipping: config.earn.includeShipping,
    includeTaxes: config.earn.includeTaxes,
    includeGiftCards: config.earn.includeGiftCards,
    pendingDays: config.pendingDays,
    expiryDays: config.expiryDays === null ? "" : String(config.expiryDays),
    negativeBalancePolicy: config.negativeBalancePolicy,
    signupBonusPoints: config.signupBonusPoints,
  };
}

export type SaveSettingsOutcome =
  | { ok: true; settings: ProgramSettings }
  | { ok: false; reason: "NO_PROGRAM" }
  | { ok: false; reason: "INVALID"; fieldErrors: FieldErrors };

/**
 * Validates the submitted form and saves it into the shop's configuration, or saves nothing and
 * says what is wrong with each field. The shop's row is locked first, so a concurrent save of
 * another part of the configuration (tiers) is neither lost nor overwritten.
 */
export async function saveProgramSettings(
  tx: Tx,
  shop: string,
  form: Record<string, string | undefined>,
): Promise<SaveSettingsOutcome> {
  await tx.query(`SELECT 1 FROM "Shop" WHERE shop = $1 FOR UPDATE`, [shop]);
  const config = await programConfig(tx, shop);
  if (!config) return { ok: false, reason: "NO_PROGRAM" };

  const fieldErrors: FieldErrors = {};
  const parsed = formSchema.safeParse(form);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0]) as SettingsField;
      fieldErrors[field] ??= issue.message;
    }
    return { ok: false, reason: "INVALID", fieldErrors };
  }
  const settings = parsed.data;
  const perAmount = tryParseMoney(settings.earnPerAmount, config.currency);
  if (!perAmount.ok || perAmount.money.minor <= 0)
    fieldErrors.earnPerAmount = `Enter an amount above zero in ${config.currency}, such as ${toDecimalString({ minor: 100, currency: config.currency })}`;
  const expiryDays =
    settings.expiryDays === "" ? null : Number(settings.expiryDays);
  if (expiryDays !== null && !/^\d+$/.test(settings.expiryDays))
    fieldErrors.expiryDays =
      "Expiry must be a whole number of days, or empty for never";
  if (!perAmount.ok || Object.keys(fieldErrors).length > 0)
    return { ok: false, reason: "INVALID", fieldErrors };

  const proposed = programConfigSchema.safeParse({
    ...config,
    enabled: settings.enabled,
    earn: {
      ...config.earn,
      points: settings.earnPoints,
      perAmountMinor: perAmount.money.minor,
      rounding: settings.rounding,
      applyOrderDiscounts: settings.applyOrderDiscounts,
      includeShipping: settings.includeShipping,
      includeTaxes: settings.includeTaxes,
      includeGiftCards: settings.includeGiftCards,
    },
    pendingDays: settings.pendingDays,
    expiryDays,
    negativeBalancePolicy: settings.negativeBalancePolicy,
    signupBonusPoints: settings.signupBonusPoints,
  });
  if (!proposed.success) {
    for (const issue of proposed.error.issues) {
      const field = configPathToField[issue.path.join(".")] ?? "enabled";
      fieldErrors[field] ??= issue.message;
    }
    return { ok: false, reason: "INVALID", fieldErrors };
  }
  await saveProgramConfig(tx, shop, proposed.data);
  return { ok: true, settings: settingsOf(proposed.data) };
}
