import type {
  ApiFailure,
  LoyaltyClient,
  StoreCreditConversion,
} from "../../shared/api";
import { intentKeys } from "../../shared/intent-key";

export type CreditOutcome =
  | { ok: true; conversion: StoreCreditConversion }
  | { ok: false; failure: ApiFailure };

export interface StoreCreditState {
  /** The points the shopper picked; null until they touch the chooser. */
  points: number | null;
  busy: boolean;
  outcome: CreditOutcome | null;
}

export interface StoreCreditForm {
  state(): StoreCreditState;
  choose(points: number): void;
  convert(points: number): Promise<void>;
}

/** The store credit section's own small state: the points picked, and how converting them went. */
export function createStoreCreditForm(
  client: Pick<LoyaltyClient, "convertToStoreCredit">,
  options: {
    newKey: () => string;
    /** Reads the balance again once points have moved. */
    reload: () => Promise<void>;
    changed?: () => void;
  },
): StoreCreditForm {
  let state: StoreCreditState = { points: null, busy: false, outcome: null };
  // Besides a call without an answer, a credit Shopify has not confirmed (202) keeps its key: the
  // app answers a retry with the same conversion, where a new key would convert the points again.
  const keys = intentKeys<number>(options.newKey, (a, b) => a === b);
  const set = (next: StoreCreditState) => {
    state = next;
    options.changed?.();
  };
  return {
    state: () => state,
    choose: (points) => set({ ...state, points, outcome: null }),
    async convert(points) {
      if (state.busy) return;
      const key = keys.keyFor(points);
      set({ points, busy: true, outcome: null });
      const result = await client.convertToStoreCredit({
        points,
        idempotencyKey: key,
      });
      keys.settle(
        points,
        key,
        result.ok ? result.value.status === "HELD" : !result.failure.answered,
      );
      // The points the shopper may have picked meanwhile stay picked.
      set({
        ...state,
        busy: false,
        outcome: result.ok
          ? { ok: true, conversion: result.value }
          : { ok: false, failure: result.failure },
      });
      if (result.ok) await options.reload();
    },
  };
}
