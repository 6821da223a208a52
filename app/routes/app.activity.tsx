import {
  json,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
} from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { z } from "zod";
import { database, sql } from "~/db.server";
import { deadLetters, recentOrderActivity } from "~/services/activity.server";
import { replayDeadLetters } from "~/services/dead-letters.server";
import {
  lastReconciliation,
  lastWebhooks,
  RECONCILE_LOOKBACK_HOURS,
  requestReconciliation,
} from "~/services/operations.server";
import { outboxHealth, retryDeadJob } from "~/services/outbox.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [orders, letters, outbox, webhooks, reconciliation] = await Promise.all(
    [
      recentOrderActivity(sql, session.shop),
      deadLetters(sql, session.shop),
      outboxHealth(sql, session.shop),
      lastWebhooks(sql, session.shop),
      lastReconciliation(sql, session.shop),
    ],
  );
  return {
    reconcileLookbackHours: RECONCILE_LOOKBACK_HOURS,
    webhooks: webhooks.map((webhook) => ({
      topic: webhook.topic,
      receivedAt: webhook.receivedAt?.toISOString() ?? null,
    })),
    reconciliation: reconciliation && {
      status: reconciliation.status,
      requestedAt: reconciliation.requestedAt.toISOString(),
      doneAt: reconciliation.doneAt?.toISOString() ?? null,
      lastError: reconciliation.lastError,
    },
    outbox: {
      counts: outbox.counts,
      dead: outbox.dead.map((job) => ({
        id: job.id,
        kind: job.kind,
        attempts: job.attempts,
        lastError: job.lastError,
      })),
    },
    orders: orders.map((order) => ({ ...order, at: order.at.toISOString() })),
    deadLetters: letters.map((letter) => ({
      ...letter,
      receivedAt: letter.receivedAt.toISOString(),
      replayedAt: letter.replayedAt?.toISOString() ?? null,
    })),
  };
};

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("replay-dead-letters") }),
  z.object({ intent: z.literal("reconcile") }),
  z.object({
    intent: z.literal("retry-job"),
    jobId: z.coerce.number().int().positive(),
  }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = actionSchema.safeParse(
    Object.fromEntries(await request.formData()),
  );
  if (!parsed.success)
    return json({ error: "Unknown action." }, { status: 400 });
  if (parsed.data.intent === "reconcile") {
    await sql.transaction((tx) =>
      requestReconciliation(tx, session.shop, new Date()),
    );
    return { reconciliationRequested: true };
  }
  if (parsed.data.intent === "retry-job") {
    // Scoped by shop: a shop can only revive its own jobs.
    const retried = await retryDeadJob(sql, {
      shop: session.shop,
      id: parsed.data.jobId,
    });
    return retried.ok
      ? { retried: parsed.data.jobId }
      : json({ error: retried.reason }, { status: 409 });
  }
  const report = await replayDeadLetters(await database(), {
    shop: session.shop,
  });
  return { report };
};

const reasonLabels: Record<string, string> = {
  TEST_ORDER: "Test order",
  PROGRAM_OFF: "Program was off",
  BEFORE_PROGRAM_START: "Placed before the program started",
  GUEST: "Guest checkout (kept for the buyer's future account)",
  MEMBER_REDACTED: "Customer data was erased",
  NO_POINTS: "Earned 0 points",
};

const reconciliationLabels: Record<string, string> = {
  PENDING: "waiting to run",
  RUNNING: "running",
  DONE: "done",
  DEAD: "failed",
  SUPERSEDED: "replaced by a newer request",
};

export default function Activity() {
  const {
    orders,
    deadLetters: letters,
    outbox,
    webhooks,
    reconciliation,
    reconcileLookbackHours,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const replaying = useNavigation().state === "submitting";
  const pending = letters.filter((letter) => letter.replayedAt === null).length;
  return (
    <Page
      title="Activity"
      subtitle="What the program did with each order Shopify sent"
    >
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "numeric", "text"]}
              headings={["Order", "Outcome", "Points", "When"]}
              rows={orders.map((order) => [
                `#${order.orderId}`,
                order.outcome === "IGNORED" ? (
                  <Badge key="outcome">
                    {reasonLabels[order.reason ?? ""] ??
                      order.reason ??
                      "Ignored"}
                  </Badge>
                ) : order.outcome === "EARNED" ? (
                  <Badge key="outcome" tone="success">
                    Earned
                  </Badge>
                ) : (
                  <Badge key="outcome" tone="attention">
                    Waiting for payment
                  </Badge>
                ),
                order.outcome === "EARNED" ? (order.points ?? 0) : "",
                new Date(order.at).toLocaleString(),
              ])}
            />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Deliveries the app could not read ({pending} waiting)
              </Text>
              <Text as="p" tone="subdued">
                Shopify signed these, so nothing is lost: once the app is fixed,
                replay them.
              </Text>
              {letters.length > 0 && (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={["Topic", "Problem", "Received", "Replayed"]}
                  rows={letters.map((letter) => [
                    letter.topic,
                    letter.error,
                    new Date(letter.receivedAt).toLocaleString(),
                    letter.replayedAt
                      ? new Date(letter.replayedAt).toLocaleString()
                      : "—",
                  ])}
                />
              )}
              <Form method="post">
                <input
                  type="hidden"
                  name="intent"
                  value="replay-dead-letters"
                />
                <Button submit disabled={pending === 0} loading={replaying}>
                  Replay waiting deliveries
                </Button>
              </Form>
              {result && "report" in result && (
                <Text as="p">
                  Replayed {result.report.replayed}; still failing{" "}
                  {result.report.stillFailing}.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Updates to Shopify (tier tags…)
              </Text>
              <Text as="p">
                {outbox.counts.PENDING + outbox.counts.RUNNING} waiting,{" "}
                {outbox.counts.DONE} sent, {outbox.counts.DEAD} failed for good
              </Text>
              {outbox.dead.map((job) => (
                <Form method="post" key={job.id}>
                  <input type="hidden" name="intent" value="retry-job" />
                  <input type="hidden" name="jobId" value={job.id} />
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="span">
                      {job.kind} after {job.attempts} attempts:{" "}
                      {job.lastError ?? "unknown error"}
                    </Text>
                    <Button submit size="slim">
                      Retry
                    </Button>
                  </InlineStack>
                </Form>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Webhooks from Shopify
              </Text>
              <DataTable
                columnContentTypes={["text", "text"]}
                headings={["Topic", "Last received"]}
                rows={webhooks.map((webhook) => [
                  webhook.topic,
                  webhook.receivedAt
                    ? new Date(webhook.receivedAt).toLocaleString()
                    : "Never",
                ])}
              />
              <Text as="p" tone="subdued">
                Missed a delivery? Reconciliation reads the orders of the last{" "}
                {reconcileLookbackHours} hours back from Shopify and applies
                what the program has not seen.
              </Text>
              <Form method="post">
                <input type="hidden" name="intent" value="reconcile" />
                <InlineStack gap="300" blockAlign="center">
                  <Button submit>Reconcile recent orders</Button>
                  {reconciliation && (
                    <Text as="span" tone="subdued">
                      Last requested{" "}
                      {new Date(reconciliation.requestedAt).toLocaleString()}:{" "}
                      {reconciliationLabels[reconciliation.status] ??
                        reconciliation.status}
                      {reconciliation.lastError
                        ? ` (${reconciliation.lastError})`
                        : ""}
                    </Text>
                  )}
                </InlineStack>
              </Form>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
