import {
  pointsWorth,
  type Loyalty,
  type OpenRedemption,
  type Redemption,
  type Reward,
  type StoreCreditConversion,
} from "../api";

export const APP_URL = "https://loyalty.example.test";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  body: Record<string, unknown> | null;
}

export function loyaltyFixture(overrides: Partial<Loyalty> = {}): Loyalty {
  return {
    currency: "USD",
    enabled: true,
    points: { available: 1240, pending: 80, held: 0, lifetimeEarned: 2100 },
    tier: {
      name: "Silver",
      tag: "loyalty-tier:silver",
      basis: "POINTS_EARNED",
      progress: 2100,
      next: { name: "Gold", threshold: 3000, remaining: 900 },
    },
    earnEstimate: { points: 42 },
    rewards: [
      {
        id: "fixed-500",
        title: "$5 off",
        points: 500,
        value: { kind: "FIXED_AMOUNT", amountMinor: 500 },
        affordable: true,
      },
      {
        id: "pct-10",
        title: "10% off",
        points: 1500,
        value: { kind: "PERCENTAGE", percentage: 10 },
        affordable: false,
      },
    ],
    slider: null,
    storeCredit: null,
    openRedemptions: [],
    heldForStoreCredit: 0,
    recent: [
      {
        kind: "EARN",
        points: 42,
        occurredAt: "2026-11-20T09:00:00.000Z",
        orderName: "#1042",
      },
    ],
    referral: null,
    challenges: [],
    birthday: null,
    expiring: [],
    ...overrides,
  };
}

/**
 * The app's shopper API as docs/checkout-api.md describes it, in memory: it holds points on
 * POST, replays an idempotency key, releases on DELETE, and answers the documented errors.
 * `answer` replaces the next answer to one route, for failures a test wants to provoke.
 */
export function fakeBackend(initial: Loyalty = loyaltyFixture()) {
  const loyalty: Loyalty = structuredClone(initial);
  const requests: RecordedRequest[] = [];
  const byKey = new Map<string, Redemption>();
  const released = new Set<string>();
  const credits = new Map<string, StoreCreditConversion>();
  const overrides = new Map<
    string,
    { status: number; body?: unknown } | "offline"
  >();
  let guest = false;
  let sequence = 0;

  function json(status: number, body?: unknown): Response {
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: {
        "Content-Type": "application/json",
        "Cache-Control": "no-store",
      },
    });
  }

  function error(
    status: number,
    code: string,
    message: string,
    extra: object = {},
  ) {
    return json(status, { error: message, code, ...extra });
  }

  function redeem(body: Record<string, unknown>): Response {
    const key = body.idempotencyKey;
    if (typeof key !== "string" || key.length < 8 || key.length > 100) {
      return error(400, "INVALID_REQUEST", "That request could not be read.", {
        issues: [],
      });
    }
    const replay = byKey.get(key);
    if (replay !== undefined) return json(200, replay);
    if (!loyalty.enabled)
      return error(
        409,
        "PROGRAM_DISABLED",
        "The loyalty program is switched off.",
      );
    let points: number;
    let value: Reward["value"];
    if (typeof body.rewardId === "string") {
      const reward = loyalty.rewards.find(
        (candidate) => candidate.id === body.rewardId,
      );
      if (reward === undefined)
        return error(404, "REWARD_NOT_FOUND", "That reward does not exist.");
      points = reward.points;
      value = reward.value;
    } else if (typeof body.points === "number" && loyalty.slider !== null) {
      if (body.points > loyalty.slider.maxPoints) {
        return error(
          422,
          "REWARD_NOT_APPLICABLE",
          "That many points can't be used on this cart.",
        );
      }
      points = body.points;
      value = {
        kind: "FIXED_AMOUNT",
        amountMinor: pointsWorth(loyalty.slider.price, points),
      };
    } else {
      return error(400, "INVALID_REQUEST", "That request could not be read.", {
        issues: [],
      });
    }
    if (points > loyalty.points.available) {
      return error(409, "INSUFFICIENT_POINTS", "Not enough points.", {
        available: loyalty.points.available,
      });
    }
    if (typeof body.checkoutToken === "string") {
      for (const open of loyalty.openRedemptions.filter((candidate) =>
        candidate.id.startsWith(body.checkoutToken as string),
      )) {
        release(open.id);
      }
    }
    sequence += 1;
    const prefix =
      typeof body.checkoutToken === "string" ? body.checkoutToken : "account";
    const redemption: Redemption = {
      id: `${prefix}-redemption-${sequence}`,
      code: `LOYAL-TEST-${sequence}`,
      points,
      value,
      currency: loyalty.currency,
      expiresAt:
        body.surface === "account"
          ? "2026-11-29T10:30:00.000Z"
          : "2026-11-22T11:00:00.000Z",
    };
    byKey.set(key, redemption);
    loyalty.points.available -= points;
    loyalty.points.held += points;
    const { currency: _currency, ...open } = redemption;
    loyalty.openRedemptions.push(open);
    return json(201, redemption);
  }

  function convertToStoreCredit(body: Record<string, unknown>): Response {
    const { points, idempotencyKey: key } = body;
    if (
      typeof key !== "string" ||
      key.length < 8 ||
      key.length > 100 ||
      typeof points !== "number"
    ) {
      return error(400, "INVALID_REQUEST", "That request could not be read.", {
        issues: [],
      });
    }
    const replay = credits.get(key);
    if (replay !== undefined) return json(200, replay);
    const offer = loyalty.storeCredit;
    if (offer === null)
      return error(
        409,
        "STORE_CREDIT_OFF",
        "Points cannot be turned into store credit in this shop.",
      );
    if (points % offer.stepPoints !== 0 || points < offer.minPoints)
      return error(
        422,
        "NOT_APPLICABLE",
        "This number of points cannot be turned into store credit.",
        { reason: "OUT_OF_RANGE" },
      );
    if (points > loyalty.points.available)
      return error(409, "INSUFFICIENT_POINTS", "Not enough points.", {
        available: loyalty.points.available,
      });
    sequence += 1;
    const credit: StoreCreditConversion = {
      id: `store-credit-${sequence}`,
      points,
      amountMinor: pointsWorth(offer.price, points),
      currency: loyalty.currency,
      status: "POSTED",
    };
    credits.set(key, credit);
    loyalty.points.available -= points;
    const cap = loyalty.points.available;
    offer.maxPoints = Math.min(offer.maxPoints, cap - (cap % offer.stepPoints));
    return json(201, credit);
  }

  function release(id: string): Response {
    const open = loyalty.openRedemptions.find(
      (candidate) => candidate.id === id,
    );
    if (open === undefined && !released.has(id)) {
      return error(404, "REDEMPTION_NOT_FOUND", "That code does not exist.");
    }
    if (open !== undefined) {
      loyalty.openRedemptions = loyalty.openRedemptions.filter(
        (candidate) => candidate !== open,
      );
      loyalty.points.available += open.points;
      loyalty.points.held -= open.points;
      released.add(id);
    }
    return json(200, { id, status: "RELEASED", points: loyalty.points });
  }

  const fetch = async (
    input: string | URL | Request,
    init: RequestInit = {},
  ): Promise<Response> => {
    const url = new URL(
      typeof input === "string"
        ? input
        : input instanceof URL
          ? input.href
          : input.url,
    );
    if (url.origin !== APP_URL)
      throw new TypeError(`Unexpected request to ${url.href}`);
    const method = init.method ?? "GET";
    const authorization = new Headers(init.headers).get("Authorization");
    const body =
      typeof init.body === "string"
        ? (JSON.parse(init.body) as Record<string, unknown>)
        : null;
    requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      authorization,
      body,
    });

    const route = `${method} ${url.pathname.replace(/\/redemptions\/.+$/, "/redemptions/:id")}`;
    const override = overrides.get(route);
    if (override !== undefined) {
      overrides.delete(route);
      if (override === "offline") throw new TypeError("Failed to fetch");
      return json(override.status, override.body);
    }
    if (authorization === null || !authorization.startsWith("Bearer "))
      return json(401);
    if (guest)
      return error(401, "CUSTOMER_REQUIRED", "Sign in to use your points.");

    switch (route) {
      case "GET /api/checkout/loyalty": {
        const subtotal = url.searchParams.get("subtotal");
        return json(200, {
          ...loyalty,
          earnEstimate: subtotal === null ? null : loyalty.earnEstimate,
        });
      }
      case "POST /api/checkout/redemptions":
        return redeem(body ?? {});
      case "POST /api/checkout/store-credit":
        return convertToStoreCredit(body ?? {});
      case "POST /api/checkout/birthday": {
        const birthday = body?.birthday;
        if (
          typeof birthday !== "string" ||
          !/^\d{4}-\d{2}-\d{2}$/.test(birthday)
        )
          return error(400, "INVALID_REQUEST", "That date could not be read.", {
            issues: [],
          });
        loyalty.birthday = birthday;
        return json(200, { birthday });
      }
      case "DELETE /api/checkout/redemptions/:id":
        return release(
          decodeURIComponent(url.pathname.split("/").at(-1) ?? ""),
        );
      default:
        return json(404);
    }
  };

  return {
    fetch,
    requests,
    loyalty,
    /** Requests other than the balance reads, which a test rarely cares about. */
    writes: () => requests.filter((request) => request.method !== "GET"),
    actAsGuest() {
      guest = true;
    },
    answer(route: string, status: number, body?: unknown) {
      overrides.set(route, { status, body });
    },
    goOfflineFor(route: string) {
      overrides.set(route, "offline");
    },
    open: (): OpenRedemption[] => loyalty.openRedemptions,
  };
}

export type FakeBackend = ReturnType<typeof fakeBackend>;
