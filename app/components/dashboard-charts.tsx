import { useEffect, useState } from "react";
import { BlockStack, Card, SkeletonBodyText, Text } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";

export const dashboardChartLinks = [{ rel: "stylesheet", href: vizStyles }];

type Viz = typeof import("@shopify/polaris-viz");

/**
 * polaris-viz measures the DOM as it draws, so it renders in the browser only, once the page's
 * stylesheets have loaded, so its first measure sees the laid-out container: a skeleton stands
 * in until then, and on the server.
 */
function useViz(): Viz | null {
  const [viz, setViz] = useState<Viz | null>(null);
  useEffect(() => {
    let active = true;
    const loaded = new Promise<void>((resolve) => {
      if (document.readyState === "complete") resolve();
      else addEventListener("load", () => resolve(), { once: true });
    });
    void Promise.all([import("@shopify/polaris-viz"), loaded]).then(
      ([module]) => {
        if (active) setViz(module);
      },
    );
    return () => {
      active = false;
    };
  }, []);
  return viz;
}

export function DashboardCharts({
  series,
  tiers,
}: {
  series: Array<{ day: string; issued: number; redeemed: number }>;
  tiers: Array<{ name: string; members: number }>;
}) {
  const viz = useViz();
  const chart = (title: string, body: (viz: Viz) => JSX.Element) => (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <div style={{ height: 300 }} data-chart={title}>
          {viz ? (
            <viz.PolarisVizProvider>{body(viz)}</viz.PolarisVizProvider>
          ) : (
            <SkeletonBodyText lines={8} />
          )}
        </div>
      </BlockStack>
    </Card>
  );
  return (
    <BlockStack gap="400">
      {/* A line, not bars: on a slow first layout the bar chart draws its hover areas with a
          negative height, which the browser reports as errors. */}
      {chart("Points issued and redeemed", ({ LineChart }) => (
        <LineChart
          theme="Light"
          // "11-03" rather than "2026-11-03": a month of full dates leaves the bars no room.
          xAxisOptions={{ labelFormatter: (day) => String(day).slice(5) }}
          yAxisOptions={{ integersOnly: true }}
          data={[
            {
              name: "Issued",
              data: series.map((point) => ({
                key: point.day,
                value: point.issued,
              })),
            },
            {
              name: "Redeemed",
              data: series.map((point) => ({
                key: point.day,
                value: point.redeemed,
              })),
            },
          ]}
        />
      ))}
      {chart("Members by tier", ({ DonutChart }) => (
        <DonutChart
          theme="Light"
          legendPosition="right"
          data={tiers.map((tier) => ({
            name: tier.name,
            data: [{ key: tier.name, value: tier.members }],
          }))}
        />
      ))}
    </BlockStack>
  );
}
