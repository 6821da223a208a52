/**
 * The program's events as Shopify Flow triggers. Each handle is a `flow_trigger` extension
 * (extensions/flow-<name>/shopify.extension.toml) whose `[[settings.fields]]` declare the payload:
 * a `customer_reference` field arrives as `customer_id` (the numeric customer id), every other
 * field under its `key`. The builders here are the one place those keys are written.
 */
export const FLOW_TRIGGERS = {
  pointsEarned: "loyalty-points-earned",
  tierChanged: "loyalty-tier-changed",
  pointsExpiring: "loyalty-points-expiring",
  rewardAvailable: "loyalty-reward-available",
  referralCompleted: "loyalty-referral-completed",
} as const;

export type FlowTriggerHandle =
  (typeof FLOW_TRIGGERS)[keyof typeof FLOW_TRIGGERS];

export type FlowTriggerPayload = Record<string, string | number | boolean>;

/** Shopify refuses a trigger payload above 50 KB. */
export const FLOW_TRIGGER_PAYLOAD_MAX_BYTES = 50_000;

export interface FlowTrigger {
  handle: FlowTriggerHandle;
  payload: FlowTriggerPayload;
}

function customer(customerId: string): { customer_id: number } {
  const id = Number(customerId);
  if (!/^\d+$/.test(customerId) || !Number.isSafeInteger(id) || id <= 0)
    throw new RangeError(`not a numeric customer id: ${customerId}`);
  return { customer_id: id };
}

/** Why points were earned, as the merchant reads it in a workflow ("order #1042", "birthday"). */
export function pointsEarned(input: {
  customerId: string;
  points: number;
  balance: number;
  reason: string;
}): FlowTrigger {
  return {
    handle: FLOW_TRIGGERS.pointsEarned,
    payload: {
      ...customer(input.customerId),
      points: input.points,
      balance: input.balance,
      reason: input.reason,
    },
  };
}

export function tierChanged(input: {
  customerId: string;
  tier: string;
  previousTier: string | null;
  direction: "UP" | "DOWN";
}): FlowTrigger {
  return {
    handle: FLOW_TRIGGERS.tierChanged,
    payload: {
      ...customer(input.customerId),
      tier: input.tier,
      "previous tier": input.previousTier ?? "",
      direction: input.direction,
    },
  };
}

export function pointsExpiring(input: {
  customerId: string;
  points: number;
  expiresAt: Date;
  balance: number;
}): FlowTrigger {
  return {
    handle: FLOW_TRIGGERS.pointsExpiring,
    payload: {
      ...customer(input.customerId),
      points: input.points,
      "expires at": input.expiresAt.toISOString(),
      balance: input.balance,
    },
  };
}

export function rewardAvailable(input: {
  customerId: string;
  reward: string;
  rewardPoints: number;
  balance: number;
}): FlowTrigger {
  return {
    handle: FLOW_TRIGGERS.rewardAvailable,
    payload: {
      ...customer(input.customerId),
      reward: input.reward,
      "reward points": input.rewardPoints,
      balance: input.balance,
    },
  };
}

/** The advocate (`customerId`) whose friend's first order completed a referral. */
export function referralCompleted(input: {
  customerId: string;
  points: number;
  referralCode: string;
}): FlowTrigger {
  return {
    handle: FLOW_TRIGGERS.referralCompleted,
    payload: {
      ...customer(input.customerId),
      points: input.points,
      "referral code": input.referralCode,
    },
  };
}
