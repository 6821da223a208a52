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
  useSearchParams,
} from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import { z } from "zod";
import { downloadFrom } from "~/download";
import { sql } from "~/db.server";
import { staffAdjustmentSchema } from "~/loyalty/staff-adjustment";
import { levelHandle } from "~/loyalty/tiers";
import { memberPage } from "~/services/member-directory.server";
import { programConfig } from "~/services/program.server";
import { adjustMemberPoints } from "~/services/staff-adjustments.server";
import { staffActor } from "~/shopify/staff-actor";
import { authenticate } from "~/shopify.server";

const olderThanSchema = z.coerce
  .number()
  .int()
  .positive()
  .nullable()
  .catch(null);

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const olderThan = olderThanSchema.parse(
    new URL(request.url).searchParams.get("olderThan"),
  );
  const page = await memberPage(sql, session.shop, params.id ?? "", {
    olderThan,
  });
  if (!page) throw new Response("No such member.", { status: 404 });
  const config = await sql.transaction((tx) => programConfig(tx, session.shop));
  return {
    ...page,
    policy: config?.negativeBalancePolicy ?? "ALLOW_NEGATIVE",
    tierNames: Object.fromEntries(
      (config?.tiers.levels ?? []).map((level) => [
        levelHandle(level),
        level.name,
      ]),
    ),
    // A fresh nonce per page view: submitting the same form twice is one adjustment.
    requestId: crypto.randomUUID(),
  };
};

type FieldErrors = Partial<Record<"points" | "reason" | "requestId", string>>;

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const admin = await authenticate.admin(request);
  const parsed = staffAdjustmentSchema.safeParse(
    Object.fromEntries(await request.formData()),
  );
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === "points" || field === "reason" || field === "requestId")
        errors[field] ??= issue.message;
    }
    return json({ errors }, { status: 400 });
  }
  const outcome = await adjustMemberPoints(sql, {
    shop: admin.session.shop,
    memberId: params.id ?? "",
    ...parsed.data,
    actor: staffActor(admin),
    now: new Date(),
  });
  if (outcome.ok) return json({ adjusted: outcome });
  if (outcome.reason === "NOT_FOUND")
    throw new Response("No such member.", { status: 404 });
  const errors: FieldErrors = {
    points: `Only ${outcome.available.toLocaleString("en")} points are available, and this program does not let a balance go below zero.`,
  };
  return json({ errors }, { status: 422 });
};

const kindLabels: Record<string, string> = {
  EARN: "Earned",
  EARN_REVERSAL: "Taken back",
  ADJUSTMENT: "Adjustment",
  MATURATION: "Became available",
  REDEMPTION_HOLD: "Held for a discount",
  REDEMPTION_POST: "Spent on a discount",
  REDEMPTION_RELEASE: "Hold released",
  EXPIRY: "Expired",
};

const when = (at: string | Date) => new Date(at).toLocaleString();

export default function MemberPage() {
  const data = useLoaderData<typeof loader>();
  const { member, ledger, olderThan, tierHistory, openRedemptions } = data;
  const result = useActionData<typeof action>();
  const submitting = useNavigation().state === "submitting";
  const [, setSearchParams] = useSearchParams();
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const errors = result && "errors" in result ? result.errors : {};
  const tierName = (handle: string | null) =>
    handle === null ? "—" : (data.tierNames[handle] ?? handle);
  // Only while the import is what placed them: a tier earned here since is not "imported".
  const [lastChange] = tierHistory;
  const imported =
    lastChange?.reason === "IMPORTED" &&
    member.tierCreditHandle === member.tierHandle;
  const heldUntil = member.tierCreditUntil
    ? `, held until ${new Date(member.tierCreditUntil).toLocaleDateString(undefined, { dateStyle: "medium" })}`
    : "";
  const tierLabel = imported
    ? `${tierName(member.tierHandle)} · imported${heldUntil}`
    : tierName(member.tierHandle);
  const name = member.redacted
    ? "Erased customer"
    : [member.firstName, member.lastName].filter(Boolean).join(" ") ||
      member.email ||
      `Customer ${member.customerId}`;

  useEffect(() => {
    if (result && "adjusted" in result) {
      setPoints("");
      setReason("");
    }
  }, [result]);

  return (
    <Page
      title={name}
      subtitle={member.redacted ? undefined : (member.email ?? undefined)}
      titleMetadata={member.tierHandle ? <Badge>{tierLabel}</Badge> : null}
      backAction={{ content: "Members", url: "/app/members" }}
      secondaryActions={[
        {
          content: "Export data (JSON)",
          onAction: () =>
            downloadFrom(
              `/app/members/${member.id}/export`,
              `member-${member.customerId}.json`,
            ),
        },
      ]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <InlineStack gap="800">
                {(
                  [
                    ["Available", member.available],
                    ["Pending", member.pending],
                    ["Held", member.held],
                    ["Lifetime earned", member.lifetimeEarned],
                  ] as const
                ).map(([label, value]) => (
                  <BlockStack key={label} gap="100">
                    <Text as="span" tone="subdued">
                      {label}
                    </Text>
                    <Text as="span" variant="headingLg" numeric>
                      {value.toLocaleString()}
                    </Text>
                  </BlockStack>
                ))}
              </InlineStack>
            </Card>
            <Card padding="0">
              <DataTable
                columnContentTypes={["text", "text", "numeric", "text", "text"]}
                headings={["When", "What", "Points", "Reason", "Source"]}
                rows={ledger.map((entry) => [
                  when(entry.occurredAt),
                  kindLabels[entry.kind] ?? entry.kind,
                  entry.points > 0 ? `+${entry.points}` : entry.points,
                  [
                    entry.reason,
                    entry.uncollected
                      ? `${entry.uncollected} could not be taken`
                      : null,
                    entry.actor ? `by ${entry.actor}` : null,
                  ]
                    .filter(Boolean)
                    .join(" · "),
                  entry.orderId
                    ? `Order ${entry.orderId}`
                    : entry.refundId
                      ? `Refund ${entry.refundId}`
                      : entry.redemptionId
                        ? "Discount code"
                        : "",
                ])}
                footerContent={
                  <InlineStack gap="200">
                    <Button
                      disabled={olderThan === null}
                      onClick={() =>
                        setSearchParams({ olderThan: String(olderThan) })
                      }
                    >
                      Older entries
                    </Button>
                    <Button onClick={() => setSearchParams({})}>Newest</Button>
                  </InlineStack>
                }
              />
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <Form method="post">
                <input type="hidden" name="requestId" value={data.requestId} />
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    Adjust points
                  </Text>
                  <TextField
                    label="Points"
                    name="points"
                    helpText={
                      data.policy === "STOP_AT_ZERO"
                        ? "Positive to add, negative to remove. The balance cannot go below zero."
                        : "Positive to add, negative to remove."
                    }
                    autoComplete="off"
                    value={points}
                    onChange={setPoints}
                    error={errors.points}
                  />
                  <TextField
                    label="Reason"
                    name="reason"
                    helpText="Shown in the member's history."
                    autoComplete="off"
                    multiline={2}
                    value={reason}
                    onChange={setReason}
                    error={errors.reason ?? errors.requestId}
                  />
                  <Button submit variant="primary" loading={submitting}>
                    Record adjustment
                  </Button>
                </FormLayout>
              </Form>
            </Card>
            <ListCard title="Tier history" empty="Not placed in a tier yet.">
              {tierHistory.map((change) => (
                <Text as="p" key={`${change.at}-${change.toHandle}`}>
                  {when(change.at)}: {tierName(change.fromHandle)} →{" "}
                  {tierName(change.toHandle)} ({change.reason.toLowerCase()})
                </Text>
              ))}
            </ListCard>
            <ListCard
              title="Open redemptions"
              empty="No points held for a discount."
            >
              {openRedemptions.map((redemption) => (
                <Text as="p" key={redemption.id}>
                  {redemption.points.toLocaleString()} points held for{" "}
                  {redemption.code ?? "a code being created"}, until{" "}
                  {when(redemption.expiresAt)}
                </Text>
              ))}
            </ListCard>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** A titled card of lines, saying `empty` when there are none. */
function ListCard({
  title,
  empty,
  children,
}: {
  title: string;
  empty: string;
  children: ReactNode[];
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {children.length === 0 ? (
          <Text as="p" tone="subdued">
            {empty}
          </Text>
        ) : (
          children
        )}
      </BlockStack>
    </Card>
  );
}
