import type { ApiFailure } from "./api";
import type { Locale } from "./locale";

/**
 * The sentence a shopper reads for a failed call. Known states get the extension's own,
 * translated words (the backend's sentences are English); anything else shows the backend's
 * `error` as the contract asks, and a generic sentence when there is no body at all.
 */
export function describeFailure(failure: ApiFailure, locale: Locale): string {
  const { t } = locale;
  if (!failure.answered) return t("errors.unreachable");
  switch (failure.code) {
    case "CUSTOMER_REQUIRED":
      return t("guest.signIn");
    case "INSUFFICIENT_POINTS":
      return failure.available === null
        ? t("errors.insufficient")
        : t("errors.insufficientWithBalance", {
            points: locale.points(failure.available),
          });
    case "PROGRAM_DISABLED":
      return t("program.disabled");
  }
  if (failure.status === 401 && failure.code === null)
    return t("errors.session");
  return failure.message ?? t("errors.unavailable");
}

export function isGuest(failure: ApiFailure): boolean {
  return failure.answered && failure.code === "CUSTOMER_REQUIRED";
}

/** A shop without a program shows nothing rather than an error the shopper cannot act on. */
export function isWithoutProgram(failure: ApiFailure): boolean {
  return failure.answered && failure.code === "PROGRAM_NOT_FOUND";
}
