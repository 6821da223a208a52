/**
 * Idempotency keys come from the business identity of a write, so a replayed webhook or a retried
 * request produces the same key and the service can see it was already applied. Ids are used as
 * given (a numeric id or a GID); a caller must use one form consistently for a given resource.
 * Every family has a distinct prefix or suffix, so keys of different families never collide.
 */

export function orderEarnKey(orderId: string): string {
  return `order:${id(orderId)}:earn`;
}

export function orderCancelKey(orderId: string): string {
  return `order:${id(orderId)}:cancel`;
}

export function refundKey(refundId: string): string {
  return `refund:${id(refundId)}`;
}

/** Once per customer, however often Shopify reports the account's creation. */
export function signupBonusKey(customerId: string): string {
  return `customer:${id(customerId)}:signup`;
}

/**
 * The birthday reward of `year` (the shop's calendar): one per member per year, whatever date the
 * birthday says, so changing the birthday cannot earn twice in a year.
 */
export function birthdayKey(memberId: string, year: number): string {
  if (!Number.isSafeInteger(year) || year < 1900)
    throw new RangeError(`not a birthday year: ${year}`);
  return `birthday:${id(memberId)}:${year}`;
}

/** Points a Shopify Flow workflow awarded; Flow sends one run id per action run, retries included. */
export function flowAwardKey(actionRunId: string): string {
  return `flow:${id(actionRunId)}:award`;
}

/** The "points expiring soon" warning of one lot: each lot is announced once. */
export function expiryWarningKey(lotKey: string): string {
  return `lot:${id(lotKey)}:expiry-warning`;
}

/** `requestId` identifies the staff action (e.g. a form nonce), so a double submit is one adjustment. */
export function adjustmentKey(requestId: string): string {
  return `adjustment:${id(requestId)}`;
}

/**
 * The `sequence`-th change of a member's imported opening balance (1 for the first import). The
 * import reads the member's imported total under the member's lock and writes only the difference
 * to the file's value, so the same file imported again writes nothing, a corrected file writes
 * its correction once, and two runs racing each other cannot both write the nth change.
 */
export function balanceImportKey(memberId: string, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    throw new RangeError(`an import sequence starts at 1, got ${sequence}`);
  return `balance-import:${id(memberId)}:${sequence}`;
}

export type RedemptionKeys = { hold: string; post: string; release: string };

export function redemptionKeys(redemptionId: string): RedemptionKeys {
  const prefix = `redemption:${id(redemptionId)}`;
  return {
    hold: `${prefix}:hold`,
    post: `${prefix}:post`,
    release: `${prefix}:release`,
  };
}

/** Points of a redemption given back because `refundId` refunded part of the order they paid for. */
export function redemptionReturnKey(
  redemptionId: string,
  refundId: string,
): string {
  return `redemption:${id(redemptionId)}:return:${id(refundId)}`;
}

/** The advocate's points for the friend's first order `orderId`: once per friend's order. */
export function referralRewardKey(orderId: string): string {
  return `referral:${id(orderId)}:reward`;
}

/**
 * A challenge's bonus, once per member and period (`period` names the window, e.g. its first
 * day): however many orders arrive after the target is reached, or are delivered twice.
 */
export function challengeBonusKey(
  challengeId: string,
  memberId: string,
  period: string,
): string {
  return `challenge:${id(challengeId)}:${id(memberId)}:${id(period)}`;
}

export function lotMatureKey(lotKey: string): string {
  return `lot:${id(lotKey)}:mature`;
}

export function lotExpireKey(lotKey: string): string {
  return `lot:${id(lotKey)}:expire`;
}

/** Points a release gives back to a lot that already expired are expired by this second entry. */
export function releaseExpiryKey(releaseKey: string): string {
  return `${id(releaseKey)}:expire`;
}

function id(value: string): string {
  if (value.length === 0 || /\s/.test(value)) {
    throw new RangeError(
      `an id in an idempotency key must be non-empty without spaces: ${JSON.stringify(value)}`,
    );
  }
  return value;
}
