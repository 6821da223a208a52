/**
 * One idempotency key per shopper intent. A key outlives its call only while the outcome is
 * unknown, so that pressing the button again repeats the intent instead of spending the points
 * twice; once the outcome is known, the same press is a new intent with a new key.
 */
export interface IntentKeys<Intent> {
  keyFor(intent: Intent): string;
  /** After the call: `outcomeUnknown` keeps the key for a retry of this intent. */
  settle(intent: Intent, key: string, outcomeUnknown: boolean): void;
}

export function intentKeys<Intent>(
  newKey: () => string,
  same: (a: Intent, b: Intent) => boolean,
): IntentKeys<Intent> {
  let kept: { intent: Intent; key: string } | null = null;
  return {
    keyFor: (intent) =>
      kept !== null && same(kept.intent, intent) ? kept.key : newKey(),
    settle(intent, key, outcomeUnknown) {
      kept = outcomeUnknown ? { intent, key } : null;
    },
  };
}
