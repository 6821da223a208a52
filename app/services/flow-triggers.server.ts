// Shopify Flow triggers (docs/decisions/012-engagement-expiry-birthdays-flow.md): the program's
// events leave through the outbox as FLOW_TRIGGER jobs, enqueued in the transaction of the ledger
// or tier change they announce, and sent with flowTriggerReceive by the worker.
import { z } from "zod";
import { rewardsReached } from "~/loyalty/engagement";
import {
  FLOW_TRIGGER_PAYLOAD_MAX_BYTES,
  FLOW_TRIGGERS,
  pointsEarned,
  rewardAvailable,
  type FlowTrigger,
  type FlowTriggerHandle,
  type FlowTriggerPayload,
} from "~/loyalty/flow";
import type { LedgerWrite } from "~/loyalty/ledger";
import type { ProgramConfig } from "~/loyalty/program";
import { rewardTitle, rewardValue } from "~/loyalty/rewards";
import type { AdminClient } from "~/shopify/admin-client.server";
import { FLOW_TRIGGER_RECEIVE_MUTATION } from "~/shopify/admin-operations";
import type { LoyaltyFlowTriggerReceiveMutationVariables } from "~/types/admin.generated";
import type { NewOutboxJob } from "./outbox.server";
import { OutboxJobError, parseJobPayload } from "./outbox-jobs.server";

const handles = Object.values(FLOW_TRIGGERS) as [
  FlowTriggerHandle,
  ...FlowTriggerHandle[],
];

export const flowTriggerJobPayloadSchema = z.object({
  handle: z.enum(handles),
  payload: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

/**
 * The outbox job that fires one Flow trigger at `shop`. Each job is one event: never coalesced,
 * since two earns are two workflow runs. Enqueue it in the transaction of the change it reports.
 */
export function flowTriggerJob(
  shop: string,
  handle: FlowTriggerHandle,
  payload: FlowTriggerPayload,
): NewOutboxJob {
  return { shop, kind: "FLOW_TRIGGER", payload: { handle, payload } };
}

export const flowTriggerJobs = (
  shop: string,
  triggers: readonly FlowTrigger[],
): NewOutboxJob[] =>
  triggers.map((trigger) =>
    flowTriggerJob(shop, trigger.handle, trigger.payload),
  );

/** flowTriggerReceive with the job's handle and payload. */
export async function sendFlowTrigger(
  admin: AdminClient,
  payload: unknown,
): Promise<void> {
  const trigger = parseJobPayload(
    "FLOW_TRIGGER",
    flowTriggerJobPayloadSchema,
    payload,
  );
  const size = Buffer.byteLength(JSON.stringify(trigger.payload));
  if (size > FLOW_TRIGGER_PAYLOAD_MAX_BYTES)
    throw new OutboxJobError(
      `a Flow trigger payload of ${size} bytes is over Shopify's ${FLOW_TRIGGER_PAYLOAD_MAX_BYTES}`,
      false,
    );
  const variables: LoyaltyFlowTriggerReceiveMutationVariables = trigger;
  await admin.mutate(
    FLOW_TRIGGER_RECEIVE_MUTATION,
    variables,
    "flowTriggerReceive",
  );
}

/** The available points before a write, from those after it and the write's own deltas. */
export function availableBefore(write: LedgerWrite, after: number): number {
  return write.entries.reduce(
    (before, entry) => before - entry.delta.available,
    after,
  );
}

/** "Reward available" for each catalogue reward the member's available points just reached. */
export function rewardTriggers(
  config: Pick<ProgramConfig, "redemption" | "currency">,
  customerId: string,
  before: number,
  after: number,
): FlowTrigger[] {
  const pricing = {
    pointsPerUnit: config.redemption.pointsPerUnit,
    currency: config.currency,
  };
  return rewardsReached(config.redemption.rewards, before, after).map(
    (reward) =>
      rewardAvailable({
        customerId,
        reward: rewardTitle(
          reward,
          rewardValue(reward, pricing),
          config.currency,
        ),
        rewardPoints: reward.points,
        balance: after,
      }),
  );
}

/**
 * What a write that gave the member points announces: "points earned" when `earned` is given,
 * and "reward available" for each reward its available points reached.
 */
export function earnTriggers(
  config: Pick<ProgramConfig, "redemption" | "currency">,
  customerId: string,
  write: LedgerWrite,
  available: number,
  earned?: { points: number; reason: string },
): FlowTrigger[] {
  return [
    ...(earned
      ? [
          pointsEarned({
            customerId,
            points: earned.points,
            balance: available,
            reason: earned.reason,
          }),
        ]
      : []),
    ...rewardTriggers(
      config,
      customerId,
      availableBefore(write, available),
      available,
    ),
  ];
}
