import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { sql } from "~/db.server";
import { programOverview } from "~/services/overview.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return {
    shop: session.shop,
    overview: await sql.transaction((tx) => programOverview(tx, session.shop)),
  };
};

export default function Home() {
  const { overview } = useLoaderData<typeof loader>();
  return (
    <Page title="Loyalty program">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Program
                </Text>
                {overview?.enabled ? (
                  <Badge tone="success">On</Badge>
                ) : (
                  <Badge>Off</Badge>
                )}
              </InlineStack>
              {overview ? (
                <Text as="p">
                  {overview.members.toLocaleString()} members hold{" "}
                  {overview.pointsOutstanding.toLocaleString()} points.
                </Text>
              ) : (
                <Text as="p">The program is being set up for your shop.</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
