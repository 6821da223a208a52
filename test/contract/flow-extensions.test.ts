import { access } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  FLOW_TRIGGERS,
  pointsEarned,
  pointsExpiring,
  referralCompleted,
  rewardAvailable,
  tierChanged,
  type FlowTrigger,
} from "~/loyalty/flow";
import { awardPointsActionSchema } from "~/shopify/flow-action";
import {
  flowExtensions,
  readExtensionToml,
  TRIGGER_FIELD_TYPES,
  triggerFields,
  triggerPayloadProblems,
} from "../support/flow-extensions";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("Flow trigger extensions", () => {
  it("declare exactly the app's triggers, each once, with a handle Shopify accepts and known field types", async () => {
    const triggers = await flowExtensions("flow_trigger");
    expect(triggers.map((trigger) => trigger.extension.handle).sort()).toEqual(
      Object.values(FLOW_TRIGGERS).sort(),
    );
    for (const { directory, extension, fields } of triggers) {
      expect(String(extension.handle)).toMatch(/^[a-z0-9-]{1,30}$/);
      expect(directory).toBe(
        `flow-${String(extension.handle).replace(/^loyalty-/, "")}`,
      );
      expect(extension.name, directory).toEqual(expect.any(String));
      expect(extension.description, directory).toEqual(expect.any(String));
      expect(
        fields.filter((field) => field.type === "customer_reference"),
      ).toHaveLength(1);
      for (const field of fields)
        expect(TRIGGER_FIELD_TYPES, directory).toContain(field.type);
    }
  });

  const customerId = "7001";
  it.each<[string, FlowTrigger]>([
    [
      "points earned",
      pointsEarned({
        customerId,
        points: 120,
        balance: 620,
        reason: "order #1042",
      }),
    ],
    [
      "tier changed",
      tierChanged({
        customerId,
        tier: "Gold",
        previousTier: null,
        direction: "UP",
      }),
    ],
    [
      "points expiring",
      pointsExpiring({
        customerId,
        points: 120,
        expiresAt: new Date("2027-01-01T00:00:00Z"),
        balance: 300,
      }),
    ],
    [
      "reward available",
      rewardAvailable({
        customerId,
        reward: "$5.00 off",
        rewardPoints: 500,
        balance: 510,
      }),
    ],
    [
      "referral completed",
      referralCompleted({ customerId, points: 250, referralCode: "NOOR-7K2Q" }),
    ],
  ])(
    "%s: the payload the app builds fits the trigger's declared fields",
    async (_, trigger) => {
      expect(
        triggerPayloadProblems(
          await triggerFields(trigger.handle),
          trigger.payload,
        ),
      ).toEqual([]);
    },
  );

  it("the check refuses payloads that do not fit, so the tests above can fail", async () => {
    const fields = await triggerFields(FLOW_TRIGGERS.pointsEarned);
    const good = pointsEarned({
      customerId,
      points: 1,
      balance: 1,
      reason: "x",
    }).payload;
    expect(triggerPayloadProblems(fields, { ...good, points: "1" })).toEqual([
      'points: "1" is not a number_decimal',
    ]);
    const { reason: _reason, ...missing } = good;
    expect(triggerPayloadProblems(fields, missing)).toEqual([
      "reason: missing",
    ]);
    expect(triggerPayloadProblems(fields, { ...good, extra: 1 })).toEqual([
      "extra: not declared",
    ]);
    expect(
      triggerPayloadProblems(fields, { ...good, customer_id: "7001" }),
    ).toEqual(['customer_id: "7001" is not a customer_reference']);
    expect(
      triggerPayloadProblems(fields, { ...good, reason: "x".repeat(50_000) }),
    ).toEqual([expect.stringMatching(/^\d+ bytes, above 50000$/)]);
  });

  it("the reader refuses TOML it does not understand", () => {
    expect(() => readExtensionToml("[[extensions]]\nname = [1, 2]")).toThrow(
      /unsupported value/,
    );
    expect(() => readExtensionToml("[extensions.capabilities]\nx = 1")).toThrow(
      /not understood/,
    );
  });
});

describe("the Flow action Award loyalty points", () => {
  it("posts to the app's route and declares the fields the route reads", async () => {
    const [action, ...others] = await flowExtensions("flow_action");
    expect(others).toEqual([]);
    if (!action) throw new Error("no flow_action extension");
    const url = new URL(String(action.extension.runtime_url));
    expect(url.protocol).toBe("https:");
    // Remix flat routes: /api/flow/award-points is app/routes/api.flow.award-points.tsx.
    await access(
      `${root}app/routes${url.pathname.replaceAll("/", ".")}.tsx`.replace(
        "routes.",
        "routes/",
      ),
    );
    expect(
      action.fields.map((field) =>
        field.type === "customer_reference" ? "customer_id" : field.key,
      ),
    ).toEqual(Object.keys(awardPointsActionSchema.shape.properties.shape));
    expect(action.fields.every((field) => field.required === true)).toBe(true);
  });
});
