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
  useSubmit,
} from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { sql } from "~/db.server";
import { tierRulesSchema } from "~/loyalty/tiers";
import { programConfig } from "~/services/program.server";
import {
  previewTierRules,
  reevaluationOf,
  saveTierRules,
} from "~/services/tier-rules.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const config = await sql.transaction((tx) => programConfig(tx, session.shop));
  if (!config)
    throw new Response("The program is not set up yet.", { status: 404 });
  return { tiers: config.tiers, reevaluation: reevaluationOf(session.shop) };
};

const formSchema = z.object({
  intent: z.enum(["preview", "save"]),
  window: z.enum(["LIFETIME", "ROLLING_12_MONTHS", "CALENDAR_YEAR"]),
  graceDays: z.coerce.number().int().min(0).max(730),
  thresholds: z.array(z.coerce.number().int().min(0)),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const parsed = formSchema.safeParse({
    intent: form.get("intent"),
    window: form.get("window"),
    graceDays: form.get("graceDays"),
    thresholds: form.getAll("threshold"),
  });
  const config = await sql.transaction((tx) => programConfig(tx, session.shop));
  if (!config)
    return json(
      { errors: ["The program is not set up yet."] },
      { status: 404 },
    );
  if (!parsed.success) {
    return json(
      {
        errors: parsed.error.issues.map(
          (issue) => `${issue.path.join(".")}: ${issue.message}`,
        ),
      },
      { status: 400 },
    );
  }
  const { thresholds, window, graceDays } = parsed.data;
  const proposed = tierRulesSchema.safeParse({
    ...config.tiers,
    window,
    graceDays,
    levels: config.tiers.levels.map((level, index) => ({
      ...level,
      threshold: thresholds[index] ?? level.threshold,
    })),
  });
  if (!proposed.success) {
    return json(
      { errors: proposed.error.issues.map((issue) => issue.message) },
      { status: 400 },
    );
  }
  const now = new Date();
  if (parsed.data.intent === "preview") {
    return json({
      preview: await previewTierRules(sql, session.shop, proposed.data, now),
    });
  }
  await saveTierRules(sql, session.shop, proposed.data, now);
  return json({ saved: true });
};

const windows = [
  { label: "Lifetime", value: "LIFETIME" },
  { label: "Rolling 12 months", value: "ROLLING_12_MONTHS" },
  { label: "Calendar year", value: "CALENDAR_YEAR" },
];

export default function Tiers() {
  const { tiers, reevaluation } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const submit = useSubmit();
  const [window, setWindow] = useState<string>(tiers.window);
  const [graceDays, setGraceDays] = useState(String(tiers.graceDays));
  const [thresholds, setThresholds] = useState(
    tiers.levels.map((level) => String(level.threshold)),
  );
  const send = (intent: "preview" | "save") => {
    const data = new FormData();
    data.append("intent", intent);
    data.append("window", window);
    data.append("graceDays", graceDays);
    for (const threshold of thresholds) data.append("threshold", threshold);
    submit(data, { method: "post" });
  };
  return (
    <Page
      title="Tiers"
      subtitle="Thresholds on points earned; spending points never demotes"
    >
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="post" onSubmit={(event) => event.preventDefault()}>
              <FormLayout>
                <Select
                  label="Window"
                  name="window"
                  options={windows}
                  value={window}
                  onChange={setWindow}
                />
                <TextField
                  label="Grace period (days) before a downgrade"
                  name="graceDays"
                  type="number"
                  autoComplete="off"
                  value={graceDays}
                  onChange={setGraceDays}
                />
                {tiers.levels.map((level, index) => (
                  <TextField
                    key={level.name}
                    label={`${level.name}: points earned to reach it`}
                    name="threshold"
                    type="number"
                    autoComplete="off"
                    disabled={index === 0}
                    value={thresholds[index] ?? ""}
                    onChange={(value) =>
                      setThresholds((current) =>
                        current.map((old, at) => (at === index ? value : old)),
                      )
                    }
                  />
                ))}
                <InlineStack gap="200">
                  <Button onClick={() => send("preview")} loading={busy}>
                    Preview who moves
                  </Button>
                  <Button
                    onClick={() => send("save")}
                    variant="primary"
                    loading={busy}
                  >
                    Save and re-evaluate everyone
                  </Button>
                </InlineStack>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="300">
            {result && "errors" in result && (
              <Banner tone="critical" title="These rules cannot be saved">
                <BlockStack>
                  {result.errors.map((error) => (
                    <Text as="p" key={error}>
                      {error}
                    </Text>
                  ))}
                </BlockStack>
              </Banner>
            )}
            {result && "preview" in result && (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {result.preview.up.length} up, {result.preview.down.length}{" "}
                    down, {result.preview.unchanged} unchanged
                  </Text>
                  {[
                    ...result.preview.up.map((move) => ["↑", move] as const),
                    ...result.preview.down.map((move) => ["↓", move] as const),
                  ].map(([arrow, move]) => (
                    <Text as="p" key={move.memberId}>
                      {arrow} {move.email ?? `Customer ${move.customerId}`}
                    </Text>
                  ))}
                </BlockStack>
              </Card>
            )}
            {reevaluation && (
              <Card>
                <Text as="p">
                  Re-evaluation: {reevaluation.done} of {reevaluation.total}{" "}
                  members, {reevaluation.changed} moved
                  {reevaluation.finishedAt ? " — done" : "…"}
                </Text>
              </Card>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
