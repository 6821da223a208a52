import { expect, it } from "vitest";
import { orderPayload } from "../../simulator/webhooks";
import { openProgramShop, sendPaidOrder } from "../support/shops";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

// Webhook transactions run one at a time (TransactionLane), shared by paid orders without discount
// codes: a delivery waiting for the database there holds up the ones behind it.
const stack = useTestStack();

const ada = { id: 801, email: "ada@example.org" };
const grace = { id: 802, email: "grace@example.org" };
const placedAt = new Date(Date.now() - 86_400_000);

/** Long enough for a request sent before it to reach the app's admission, on a busy machine too. */
const aMoment = () => new Promise((resolve) => setTimeout(resolve, 200));

/**
 * Holds the member's row in an open transaction, as a long statement of another delivery would:
 * a delivery for this member then waits in the database, inside its transaction. Resolves once
 * the row is held, to the function that lets it go.
 */
async function holdMemberRow(
  shop: string,
  customerId: number,
): Promise<() => Promise<void>> {
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const transaction = stack.db.sql.transaction(async (tx) => {
    await tx.query(
      `SELECT 1 FROM "Member" WHERE shop = $1 AND "customerId" = $2 FOR UPDATE`,
      [shop, String(customerId)],
    );
    held();
    await released;
  });
  await holding;
  return async () => {
    letGo();
    await transaction;
  };
}

it("refuses a forged delivery at once while the deliveries before it wait for the database, and lets those in one at a time", async () => {
  const shop = await openProgramShop(stack, "admission.myshopify.com");
  const first = await sendPaidOrder(stack, shop, {
    id: 1,
    price: "10.00",
    customer: ada,
    createdAt: placedAt,
  });
  expect(first.status).toBe(200);

  const letGo = await holdMemberRow(shop, ada.id);
  const waiting = sendPaidOrder(stack, shop, {
    id: 2,
    price: "20.00",
    customer: ada,
    createdAt: placedAt,
  });
  // Time for the delivery above to start its transaction: a forged delivery that needed one
  // would then wait behind it.
  await aMoment();
  const behind = sendPaidOrder(stack, shop, {
    id: 3,
    price: "30.00",
    customer: grace,
    createdAt: placedAt,
  });
  const forged = await sendWebhook(
    stack.app,
    shop,
    "orders/paid",
    orderPayload({
      id: 4,
      currency: "USD",
      customer: grace,
      lines: [{ id: 40, price: "40.00", quantity: 1 }],
    }),
    { secret: "not-the-app-secret" },
  );
  expect(forged.status).toBe(401);
  // Time for the third delivery to wait for its transaction as well, before the first commits.
  await aMoment();

  await letGo();
  const answers = await Promise.all([waiting, behind]);
  expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
  // One of the two waited for the other's transaction, and says so.
  const timings = answers.map(
    (answer) => answer.headers.get("server-timing") ?? "",
  );
  expect(timings.filter((timing) => /queue;dur=/.test(timing))).toHaveLength(1);

  const earned = await stack.db.prisma.ledgerEntry.findMany({
    where: { shop, kind: "EARN" },
    orderBy: { orderId: "asc" },
  });
  expect(earned.map((entry) => [entry.orderId, entry.points])).toEqual([
    ["1", 10],
    ["2", 20],
    ["3", 30],
  ]);
});
