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
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  Layout,
  Link,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { sql } from "~/db.server";
import { programConfig } from "~/services/program.server";
import {
  saveProgramSettings,
  settingsOf,
  type FieldErrors,
  type ProgramSettings,
} from "~/services/program-settings.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const config = await sql.transaction((tx) => programConfig(tx, session.shop));
  if (!config)
    throw new Response("The program is not set up yet.", { status: 404 });
  return { currency: config.currency, settings: settingsOf(config) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(
    [...(await request.formData())].map(([name, value]) => [
      name,
      String(value),
    ]),
  );
  const outcome = await sql.transaction((tx) =>
    saveProgramSettings(tx, session.shop, form),
  );
  if (outcome.ok) return { settings: outcome.settings };
  if (outcome.reason === "NO_PROGRAM")
    throw new Response("The program is not set up yet.", { status: 404 });
  return json({ fieldErrors: outcome.fieldErrors }, { status: 400 });
};

const roundingOptions = [
  { label: "Down (never more than earned)", value: "DOWN" },
  { label: "To the nearest point", value: "NEAREST" },
  { label: "Up", value: "UP" },
];
const policyOptions = [
  {
    label: "Allow a negative balance (the member owes points)",
    value: "ALLOW_NEGATIVE",
  },
  { label: "Stop at zero (the rest is not collected)", value: "STOP_AT_ZERO" },
];

export default function Settings() {
  const { currency, settings: saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const saving = useNavigation().state === "submitting";
  const [form, setForm] = useState<ProgramSettings>(saved);
  const errors: FieldErrors =
    result && "fieldErrors" in result ? result.fieldErrors : {};
  const set =
    <Field extends keyof ProgramSettings>(field: Field) =>
    (value: ProgramSettings[Field]) =>
      setForm((current) => ({ ...current, [field]: value }));
  const text = (field: keyof ProgramSettings) => ({
    name: field,
    value: String(form[field]),
    onChange: (value: string) =>
      setForm((current) => ({ ...current, [field]: value })),
    error: errors[field],
    autoComplete: "off",
  });
  const check = (
    field:
      | "enabled"
      | "applyOrderDiscounts"
      | "includeShipping"
      | "includeTaxes"
      | "includeGiftCards",
  ) => ({
    name: field,
    checked: form[field],
    onChange: set(field),
    error: errors[field],
  });

  return (
    <Page title="Program settings">
      <Form method="post">
        <Layout>
          {result && "settings" in result && (
            <Layout.Section>
              <Banner tone="success" title="Settings saved" />
            </Layout.Section>
          )}
          {result && "fieldErrors" in result && (
            <Layout.Section>
              <Banner tone="critical" title="Nothing was saved">
                <p>Correct the fields marked below and save again.</p>
              </Banner>
            </Layout.Section>
          )}
          <Layout.AnnotatedSection
            title="Program"
            description="Off: orders earn nothing and shoppers see no program."
          >
            <Card>
              <Checkbox label="Program is on" {...check("enabled")} />
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Earning"
            description="Points a paid order earns, on the amount you choose."
          >
            <Card>
              <FormLayout>
                <FormLayout.Group>
                  <TextField
                    label="Points"
                    type="number"
                    {...text("earnPoints")}
                  />
                  <TextField
                    label={`Per amount spent (${currency})`}
                    {...text("earnPerAmount")}
                  />
                </FormLayout.Group>
                <Select
                  label="Rounding"
                  options={roundingOptions}
                  name="rounding"
                  value={form.rounding}
                  onChange={set("rounding")}
                  error={errors.rounding}
                />
                <BlockStack gap="100">
                  <Checkbox
                    label="Earn on the subtotal after discounts"
                    {...check("applyOrderDiscounts")}
                  />
                  <Checkbox
                    label="Include shipping"
                    {...check("includeShipping")}
                  />
                  <Checkbox label="Include taxes" {...check("includeTaxes")} />
                  <Checkbox
                    label="Include gift cards"
                    {...check("includeGiftCards")}
                  />
                </BlockStack>
                <TextField
                  label="Signup bonus (points)"
                  type="number"
                  {...text("signupBonusPoints")}
                />
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Pending, expiry and balances"
            description="A pending period matching your return window keeps refunded orders from being spent first."
          >
            <Card>
              <FormLayout>
                <TextField
                  label="Pending period (days)"
                  type="number"
                  {...text("pendingDays")}
                />
                <TextField
                  label="Points expire after (days)"
                  helpText="Empty: points never expire."
                  type="number"
                  {...text("expiryDays")}
                />
                <Select
                  label="When a refund takes back points already spent"
                  options={policyOptions}
                  name="negativeBalancePolicy"
                  value={form.negativeBalancePolicy}
                  onChange={set("negativeBalancePolicy")}
                  error={errors.negativeBalancePolicy}
                />
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection title="Tiers">
            <Card>
              <Text as="p">
                Tier levels and their rules are on the{" "}
                <Link url="/app/tiers">Tiers</Link> page.
              </Text>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.Section>
            <Button submit variant="primary" loading={saving}>
              Save
            </Button>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}
