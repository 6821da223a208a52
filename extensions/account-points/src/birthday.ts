import type { LoyaltyClient } from "../../shared/api";
import type { Locale } from "../../shared/locale";
import { describeFailure } from "../../shared/problems";

export interface BirthdayState {
  /** What the shopper entered; null until they touch the field. */
  value: string | null;
  status: "idle" | "saving" | "saved" | "failed";
  error: string | null;
}

export interface BirthdayForm {
  state(): BirthdayState;
  change(value: string): void;
  save(current: string | null): Promise<void>;
}

/** The birthday field's own small state: what was typed, and how saving it went. */
export function createBirthdayForm(
  client: Pick<LoyaltyClient, "setBirthday">,
  locale: Locale,
  changed: () => void = () => undefined,
): BirthdayForm {
  let state: BirthdayState = { value: null, status: "idle", error: null };
  const set = (next: BirthdayState) => {
    state = next;
    changed();
  };
  return {
    state: () => state,
    change: (value) => set({ value, status: "idle", error: null }),
    async save(current) {
      const value = state.value ?? current;
      if (value === null || value === "" || state.status === "saving") return;
      set({ ...state, status: "saving", error: null });
      const result = await client.setBirthday(value);
      set(
        result.ok
          ? { value, status: "saved", error: null }
          : {
              value,
              status: "failed",
              error: describeFailure(result.failure, locale),
            },
      );
    },
  };
}
