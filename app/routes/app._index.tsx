import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { z } from "zod";
import {
  DashboardCharts,
  dashboardChartLinks,
} from "~/components/dashboard-charts";
import { sql } from "~/db.server";
import { formatMoney } from "~/loyalty/money";
import { DASHBOARD_PERIODS } from "~/loyalty/dashboard";
import {
  programDashboard,
  type RepeatPurchase,
} from "~/services/dashboard.server";
import { authenticate } from "~/shopify.server";

export const links = () => dashboardChartLinks;

const querySchema = z.object({
  days: z.coerce
    .number()
    .pipe(z.union(DASHBOARD_PERIODS.map((days) => z.literal(days))))
    .catch(30),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { days } = querySchema.parse(
    Object.fromEntries(new URL(request.url).searchParams),
  );
  const dashboard = await sql.transaction((tx) =>
    programDashboard(tx, session.shop, { days, now: new Date() }),
  );
  return { dashboard };
};

const percent = (basisPoints: number | null) =>
  basisPoints === null ? "—" : `${(basisPoints / 100).toFixed(1)} %`;

function Metric({
  label,
  value,
  help,
}: {
  label: string;
  value: string;
  help?: string;
}) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl">
          {value}
        </Text>
        {help && (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

const buyersLine = (rate: RepeatPurchase) =>
  `${rate.repeatBuyers.toLocaleString()} of ${rate.buyers.toLocaleString()} buyers ordered again`;

export default function Dashboard() {
  const { dashboard } = useLoaderData<typeof loader>();
  if (!dashboard)
    return (
      <Page title="Loyalty program">
        <Card>
          <Text as="p">The program is being set up for your shop.</Text>
        </Card>
      </Page>
    );
  const { points, period } = dashboard;
  return (
    <Page
      title="Loyalty program"
      titleMetadata={
        dashboard.enabled ? (
          <Badge tone="success">On</Badge>
        ) : (
          <Badge>Off</Badge>
        )
      }
      subtitle={`${period.from} to ${period.to} (UTC)`}
    >
      <BlockStack gap="400">
        <InlineStack align="end">
          <ButtonGroup variant="segmented">
            {DASHBOARD_PERIODS.map((days) => (
              <Button
                key={days}
                url={`?days=${days}`}
                pressed={period.days === days}
              >
                {`${days} days`}
              </Button>
            ))}
          </ButtonGroup>
        </InlineStack>
        <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
          <Metric label="Members" value={dashboard.members.toLocaleString()} />
          <Metric
            label="Points outstanding"
            value={points.outstanding.toLocaleString()}
            help={`Liability ${formatMoney(dashboard.liability)}`}
          />
          <Metric
            label="Points issued"
            value={points.issued.toLocaleString()}
            help={`${points.reversed.toLocaleString()} taken back by refunds and adjustments`}
          />
          <Metric
            label="Points redeemed"
            value={points.redeemed.toLocaleString()}
            help={`Redemption rate ${percent(dashboard.redemptionRateBasisPoints)}`}
          />
          <Metric
            label="Points expired"
            value={points.expired.toLocaleString()}
          />
          <Metric
            label="Repeat purchase, members"
            value={percent(dashboard.repeatPurchase.members.rateBasisPoints)}
            help={buyersLine(dashboard.repeatPurchase.members)}
          />
          <Metric
            label="Repeat purchase, non-members"
            value={percent(dashboard.repeatPurchase.nonMembers.rateBasisPoints)}
            help={buyersLine(dashboard.repeatPurchase.nonMembers)}
          />
          <Metric
            label="Revenue from orders using points"
            value={formatMoney(dashboard.pointsOrders.revenue)}
            help={`${dashboard.pointsOrders.orders.toLocaleString()} orders`}
          />
        </InlineGrid>
        <Layout>
          <Layout.Section>
            <Box>
              <DashboardCharts
                series={dashboard.series}
                tiers={dashboard.tiers}
              />
            </Box>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}
