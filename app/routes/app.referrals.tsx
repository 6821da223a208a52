import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  DataTable,
  EmptyState,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { sql } from "~/db.server";
import { programConfig } from "~/services/program.server";
import { listReferrals } from "~/services/referrals.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { config, referrals } = await sql.transaction(async (tx) => ({
    config: await programConfig(tx, session.shop),
    referrals: await listReferrals(tx, session.shop),
  }));
  return {
    enabled: config?.growth.referrals.enabled ?? false,
    referrals: referrals.map((referral) => ({
      ...referral,
      orderedAt: referral.orderedAt.toISOString(),
      dueAt: referral.dueAt.toISOString(),
    })),
  };
};

/** Why the advocate was not rewarded, in the merchant's words. */
const BLOCK_REASONS: Record<string, string> = {
  SELF_REFERRAL_CUSTOMER: "The friend is the advocate's own customer account",
  SELF_REFERRAL_EMAIL: "The friend's e-mail is the advocate's",
  SELF_REFERRAL_NORMALISED_EMAIL:
    "The friend's e-mail reaches the advocate's mailbox (a +tag or dots)",
  SELF_REFERRAL_ADDRESS: "The order ships to an address the advocate ships to",
  NOT_FIRST_ORDER: "Not the friend's first order",
  WEEKLY_LIMIT: "The advocate reached the weekly referral limit",
  ORDER_CANCELLED: "The friend's order was cancelled",
  ORDER_REFUNDED: "The friend's order was refunded",
};

const STATUS_TONES = {
  PENDING: "attention",
  COMPLETED: "success",
  BLOCKED: "critical",
  CANCELLED: undefined,
} as const;

export default function Referrals() {
  const { enabled, referrals } = useLoaderData<typeof loader>();
  return (
    <Page title="Referrals">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p" tone="subdued">
                {enabled
                  ? "A friend's first order placed with a member's code rewards the member once the order is past the pending period. Referrals the checks stopped are listed with the reason."
                  : "Referrals are off for this shop."}
              </Text>
              {referrals.length === 0 ? (
                <EmptyState heading="No referrals yet" image="">
                  <p>They appear here when a friend's order uses a code.</p>
                </EmptyState>
              ) : (
                <DataTable
                  columnContentTypes={[
                    "text",
                    "text",
                    "text",
                    "numeric",
                    "text",
                  ]}
                  headings={["Order", "Advocate", "Status", "Points", "Reason"]}
                  rows={referrals.map((referral) => [
                    referral.orderName ?? referral.orderId,
                    referral.advocate.email
                      ? `${referral.advocate.name} (${referral.advocate.email})`
                      : referral.advocate.name,
                    <Badge
                      key={referral.id}
                      tone={
                        STATUS_TONES[
                          referral.status as keyof typeof STATUS_TONES
                        ]
                      }
                    >
                      {referral.status}
                    </Badge>,
                    referral.points,
                    referral.reason
                      ? (BLOCK_REASONS[referral.reason] ?? referral.reason)
                      : "",
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
