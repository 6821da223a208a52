import type {
  ApiFailure,
  ApiResult,
  Loyalty,
  LoyaltyClient,
  OpenRedemption,
  Redemption,
  Surface,
} from "./api";
import { intentKeys } from "./intent-key";

export type LoadState =
  | { status: "loading" }
  | { status: "ready"; loyalty: Loyalty }
  | { status: "failed"; failure: ApiFailure };

export function loadStateOf(result: ApiResult<Loyalty>): LoadState {
  return result.ok
    ? { status: "ready", loyalty: result.value }
    : { status: "failed", failure: result.failure };
}

export type Choice = { rewardId: string } | { points: number };

export type FlowProblem =
  | { kind: "api"; failure: ApiFailure }
  /** Shopify would not put the code on this checkout; its points were released. */
  | { kind: "code-rejected" }
  /** Shopify would not take the code off this checkout; it is still held. */
  | { kind: "code-kept" };

export type FlowState =
  | { step: "choosing"; issued: Redemption | null; problem: FlowProblem | null }
  | { step: "applying"; choice: Choice }
  | { step: "holding"; redemption: OpenRedemption; problem: FlowProblem | null }
  | { step: "releasing"; redemption: OpenRedemption };

export interface SessionState {
  load: LoadState;
  flow: FlowState;
}

/** Where a checkout code goes: the checkout's own discount codes. */
export interface DiscountCodes {
  add(code: string): Promise<boolean>;
  remove(code: string): Promise<boolean>;
  has(code: string): boolean;
}

export interface SessionOptions {
  client: LoyaltyClient;
  surface: Surface;
  newKey(): string;
  checkoutToken?(): string | undefined;
  /** Present at checkout only; on the account page the shopper copies the code instead. */
  codes?: DiscountCodes;
}

export interface LoyaltySession {
  state(): SessionState;
  subscribe(listener: () => void): () => void;
  load(subtotal?: number): Promise<void>;
  apply(choice: Choice): Promise<void>;
  release(): Promise<void>;
}

const CHOOSING: FlowState = { step: "choosing", issued: null, problem: null };

export function createLoyaltySession(options: SessionOptions): LoyaltySession {
  const { client, surface, codes } = options;
  let state: SessionState = { load: { status: "loading" }, flow: CHOOSING };
  const listeners = new Set<() => void>();
  let subtotal: number | undefined;
  let loadSequence = 0;
  // Any answer ends the intent: only a call that got none leaves its outcome unknown.
  const keys = intentKeys(options.newKey, sameChoice);

  function set(next: Partial<SessionState>) {
    state = { ...state, ...next };
    for (const listener of listeners) listener();
  }

  async function load(nextSubtotal?: number) {
    subtotal = nextSubtotal;
    const sequence = ++loadSequence;
    const result = await client.loyalty(subtotal);
    // A later load (the cart changed meanwhile) wins over an earlier one that answers late.
    if (sequence !== loadSequence) return;
    // A failed reload keeps the balance already on screen rather than replacing it by an error.
    if (!result.ok && state.load.status === "ready") return;
    set({ load: loadStateOf(result) });
    if (result.ok) resumeHeldCode(result.value);
  }

  // After a reload of the checkout the code is still applied: show it as held, with Remove.
  function resumeHeldCode(loyalty: Loyalty) {
    if (codes === undefined || state.flow.step !== "choosing") return;
    const held = loyalty.openRedemptions.find((redemption) =>
      codes.has(redemption.code),
    );
    if (held !== undefined)
      set({ flow: { step: "holding", redemption: held, problem: null } });
  }

  async function apply(choice: Choice) {
    if (state.flow.step !== "choosing") return;
    const key = keys.keyFor(choice);
    set({ flow: { step: "applying", choice } });
    const result = await client.redeem({
      ...choice,
      idempotencyKey: key,
      checkoutToken: options.checkoutToken?.(),
      subtotal,
      surface,
    });
    keys.settle(choice, key, !result.ok && !result.failure.answered);
    if (!result.ok) {
      set({
        flow: {
          step: "choosing",
          issued: null,
          problem: { kind: "api", failure: result.failure },
        },
      });
      return;
    }
    const redemption = result.value;
    if (codes === undefined) {
      set({ flow: { step: "choosing", issued: redemption, problem: null } });
    } else if (await codes.add(redemption.code)) {
      set({ flow: { step: "holding", redemption, problem: null } });
    } else {
      // The backend already holds the points for this code: give them back now rather than
      // when the unused code expires.
      await client.release(redemption.id);
      set({
        flow: {
          step: "choosing",
          issued: null,
          problem: { kind: "code-rejected" },
        },
      });
    }
    await load(subtotal);
  }

  async function release() {
    const { flow } = state;
    if (flow.step !== "holding") return;
    const { redemption } = flow;
    set({ flow: { step: "releasing", redemption } });
    if (codes !== undefined && !(await codes.remove(redemption.code))) {
      set({
        flow: { step: "holding", redemption, problem: { kind: "code-kept" } },
      });
      return;
    }
    const result = await client.release(redemption.id);
    set({
      flow: {
        step: "choosing",
        issued: null,
        problem: result.ok ? null : { kind: "api", failure: result.failure },
      },
    });
    await load(subtotal);
  }

  return {
    state: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    load,
    apply,
    release,
  };
}

function sameChoice(a: Choice, b: Choice): boolean {
  return "rewardId" in a
    ? "rewardId" in b && a.rewardId === b.rewardId
    : "points" in b && a.points === b.points;
}
