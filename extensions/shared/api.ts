// Client for the shopper API (docs/checkout-api.md). Every failure the extensions can meet is
// mapped here, once, into a value the UI can describe.

export type RewardValue =
  | { kind: "FIXED_AMOUNT"; amountMinor: number }
  | { kind: "PERCENTAGE"; percentage: number }
  | { kind: "FREE_SHIPPING" };

export interface Reward {
  id: string;
  title: string;
  points: number;
  value: RewardValue;
  affordable: boolean;
}

/** `points` are worth `amountMinor`; see pointsWorth. */
export interface PointsPrice {
  points: number;
  amountMinor: number;
}

/**
 * What `points` are worth at `price`: their share rounded down, as the app prices a code or a
 * credit. In integers, so no floating point rounding can show a cent the shopper will not get.
 */
export function pointsWorth(price: PointsPrice, points: number): number {
  const scaled = points * price.amountMinor;
  return (scaled - (scaled % price.points)) / price.points;
}

export interface Slider {
  stepPoints: number;
  minPoints: number;
  maxPoints: number;
  price: PointsPrice;
}

/** Points into store credit as the shopper can convert them now. */
export interface StoreCredit {
  stepPoints: number;
  minPoints: number;
  /** Below `minPoints` while the shopper has too few points. */
  maxPoints: number;
  price: PointsPrice;
}

export interface Tier {
  name: string;
  tag: string;
  basis: "POINTS_EARNED" | "AMOUNT_SPENT";
  progress: number;
  next: { name: string; threshold: number; remaining: number } | null;
}

export interface Balances {
  available: number;
  pending: number;
  held: number;
  lifetimeEarned: number;
}

export interface OpenRedemption {
  id: string;
  code: string;
  points: number;
  value: RewardValue;
  expiresAt: string;
}

export type LedgerKind =
  | "EARN"
  | "REDEEM"
  | "STORE_CREDIT"
  | "RELEASE"
  | "REFUND"
  | "CANCEL"
  | "ADJUST"
  | "EXPIRE"
  | "BONUS"
  | "TIER_REWARD";

export interface LedgerLine {
  kind: LedgerKind;
  points: number;
  occurredAt: string;
  orderName?: string | null;
}

/** The member's invite-a-friend code and the link that applies it in the shop. */
export interface Referral {
  code: string;
  url: string;
}

export interface Challenge {
  id: string;
  title: string;
  kind: "ORDER_COUNT" | "SPEND";
  /** Orders placed, or minor units spent, in the current period, at most `target`. */
  progress: number;
  target: number;
  completed: boolean;
  bonusPoints: number;
  endsAt: string;
}

/** Points that expire on one date unless spent before. */
export interface ExpiringPoints {
  points: number;
  expiresAt: string;
}

export interface Loyalty {
  currency: string;
  enabled: boolean;
  points: Balances;
  tier: Tier | null;
  earnEstimate: { points: number } | null;
  rewards: Reward[];
  slider: Slider | null;
  /** Null when the shop does not offer store credit. */
  storeCredit: StoreCredit | null;
  openRedemptions: OpenRedemption[];
  /** Of `points.held`, what waits for Shopify to confirm a store credit the shopper asked for. */
  heldForStoreCredit: number;
  recent: LedgerLine[];
  referral: Referral | null;
  challenges: Challenge[];
  /** YYYY-MM-DD, or null when the shopper has not given it. */
  birthday: string | null;
  /** The next expiry dates, soonest first. */
  expiring: ExpiringPoints[];
}

export interface Redemption extends OpenRedemption {
  currency: string;
}

export type Surface = "checkout" | "account";

export type RedemptionRequest = ({ rewardId: string } | { points: number }) & {
  idempotencyKey: string;
  checkoutToken?: string;
  subtotal?: number;
  surface: Surface;
};

/**
 * A conversion into store credit. `HELD` (answered 202 `UNCONFIRMED`): Shopify was asked and did
 * not answer, and the points stay set aside until someone confirms what it did.
 */
export interface StoreCreditConversion {
  id: string;
  points: number;
  amountMinor: number;
  currency: string;
  status: "POSTED" | "HELD";
}

/**
 * `answered: false` means no HTTP answer arrived (offline, CORS, DNS): the server may or may not
 * have acted, which is why a retry of the same intent keeps its idempotency key.
 */
export type ApiFailure =
  | { answered: false }
  | {
      answered: true;
      status: number;
      code: string | null;
      message: string | null;
      available: number | null;
    };

export type ApiResult<T> =
  { ok: true; value: T } | { ok: false; failure: ApiFailure };

export interface LoyaltyClient {
  loyalty(subtotal: number | undefined): Promise<ApiResult<Loyalty>>;
  redeem(request: RedemptionRequest): Promise<ApiResult<Redemption>>;
  release(
    redemptionId: string,
  ): Promise<ApiResult<{ id: string; status: string }>>;
  setBirthday(birthday: string): Promise<ApiResult<{ birthday: string }>>;
  convertToStoreCredit(request: {
    points: number;
    idempotencyKey: string;
  }): Promise<ApiResult<StoreCreditConversion>>;
}

export interface ClientOptions {
  appUrl: string;
  sessionToken: { get(): Promise<string> };
  fetch: typeof fetch;
}

export function createLoyaltyClient({
  appUrl,
  sessionToken,
  fetch,
}: ClientOptions): LoyaltyClient {
  const base = appUrl.replace(/\/+$/, "");

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResult<T>> {
    let response: Response;
    try {
      // A token per request: Shopify caches it and hands out a fresh one when it nears expiry.
      const token = await sessionToken.get();
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return { ok: false, failure: { answered: false } };
    }
    const payload = await response.json().catch(() => null);
    if (response.ok && isRecord(payload))
      return { ok: true, value: payload as T };
    return { ok: false, failure: describeAnswer(response.status, payload) };
  }

  return {
    loyalty: (subtotal) =>
      call(
        "GET",
        `/api/checkout/loyalty${subtotal === undefined ? "" : `?subtotal=${subtotal}`}`,
      ),
    redeem: (request) => call("POST", "/api/checkout/redemptions", request),
    release: (id) =>
      call("DELETE", `/api/checkout/redemptions/${encodeURIComponent(id)}`),
    setBirthday: (birthday) =>
      call("POST", "/api/checkout/birthday", { birthday }),
    convertToStoreCredit: (request) =>
      call("POST", "/api/checkout/store-credit", request),
  };
}

function describeAnswer(status: number, payload: unknown): ApiFailure {
  const body = isRecord(payload) ? payload : {};
  return {
    answered: true,
    status,
    code: typeof body.code === "string" ? body.code : null,
    message:
      typeof body.error === "string" && body.error !== "" ? body.error : null,
    available: typeof body.available === "number" ? body.available : null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
