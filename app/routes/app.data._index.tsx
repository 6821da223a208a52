import {
  json,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type SerializeFrom,
} from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DropZone,
  InlineStack,
  Layout,
  List,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { downloadFrom } from "~/download";
import { sql } from "~/db.server";
import { MAX_IMPORT_BYTES } from "~/loyalty/balance-import";
import {
  balanceImportStatus,
  previewBalanceImport,
  startBalanceImport,
} from "~/services/balance-import.server";
import { createAdminClient } from "~/shopify/admin-client.server";
import { customerByEmail } from "~/shopify/customer-by-email.server";
import { staffActor } from "~/shopify/staff-actor";
import { authenticate, unauthenticated } from "~/shopify.server";
import type { loader as statusLoader } from "./app.data.imports.$id";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return {
    latest: await balanceImportStatus(sql, session.shop, null, new Date()),
  };
};

const TOO_LARGE = `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into several files.`;

const fileSchema = z
  .custom<File>(
    (value) => typeof value === "object" && value !== null && "text" in value,
    "Choose a CSV file.",
  )
  .refine((file) => file.size > 0, "The file is empty.");

const formSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("preview"), file: fileSchema }),
  z.object({
    intent: z.literal("apply"),
    file: fileSchema,
    fileHash: z.string().regex(/^[0-9a-f]{64}$/, "Preview the file first."),
    requestKey: z.uuid("Preview the file first."),
  }),
]);

type FieldErrors = Partial<Record<"file" | "fileHash" | "requestKey", string>>;

export const action = async ({ request }: ActionFunctionArgs) => {
  const admin = await authenticate.admin(request);
  const shop = admin.session.shop;
  // Refused before reading when the client says how large it is; counted while reading otherwise.
  if (
    Number(request.headers.get("Content-Length") ?? 0) >
    MAX_IMPORT_BYTES + 65_536
  )
    return json(
      { errors: { file: TOO_LARGE } as FieldErrors },
      { status: 413 },
    );
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_IMPORT_BYTES }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError)
      return json(
        { errors: { file: TOO_LARGE } as FieldErrors },
        { status: 413 },
      );
    throw error;
  }
  const parsed = formSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === "file" || field === "fileHash" || field === "requestKey")
        errors[field] ??= issue.message;
    }
    return json({ errors }, { status: 400 });
  }
  const text = await parsed.data.file.text();
  if (parsed.data.intent === "preview") {
    const outcome = await previewBalanceImport(sql, shop, text);
    return outcome.ok
      ? json({
          preview: outcome.preview,
          fileName: parsed.data.file.name,
          requestKey: crypto.randomUUID(),
        })
      : json(
          { errors: { file: outcome.message } as FieldErrors },
          { status: 422 },
        );
  }
  const client = createAdminClient({
    shop,
    admin: (await unauthenticated.admin(shop)).admin,
  });
  const started = await startBalanceImport(sql, {
    shop,
    text,
    fileName: parsed.data.file.name,
    expectedHash: parsed.data.fileHash,
    requestKey: parsed.data.requestKey,
    actor: staffActor(admin),
    now: new Date(),
    lookup: (email) => customerByEmail(client, email),
  });
  return started.ok
    ? json({ importId: started.importId })
    : json(
        { errors: { file: started.message } as FieldErrors },
        { status: 422 },
      );
};

const POLL_MS = 1_000;

type Progress = NonNullable<SerializeFrom<typeof loader>["latest"]>;

function ImportProgress({
  importId,
  known,
}: {
  importId: string;
  known: Progress | null;
}) {
  const poll = useFetcher<typeof statusLoader>();
  const status = poll.data ?? known;
  useEffect(() => {
    if (status && status.status !== "RUNNING") return;
    const timer = setTimeout(
      () => poll.load(`/app/data/imports/${importId}`),
      status ? POLL_MS : 0,
    );
    return () => clearTimeout(timer);
  }, [status, poll, importId]);
  if (!status)
    return (
      <Card>
        <Text as="p">Starting the import…</Text>
      </Card>
    );
  const percent = status.total === 0 ? 100 : (status.done / status.total) * 100;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Import of {status.fileName}
        </Text>
        <ProgressBar
          progress={percent}
          tone={status.status === "FAILED" ? "critical" : "highlight"}
        />
        <Text as="p">
          {status.done.toLocaleString()} of {status.total.toLocaleString()} rows
          {status.status === "RUNNING" ? "…" : ""} — {status.created} members
          created, {status.updated} updated,{" "}
          {status.pointsAdded.toLocaleString()} points added
        </Text>
        {status.status === "FAILED" && (
          <Banner tone="critical" title="The import stopped">
            {status.error} Rows already imported stay; importing the file again
            adds only what is missing.
          </Banner>
        )}
        {status.status === "INTERRUPTED" && (
          <Banner tone="warning" title="The import was interrupted">
            The app restarted while it ran. Import the file again: rows already
            imported are not imported twice.
          </Banner>
        )}
        {status.problems.length > 0 && (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              Rows not imported
            </Text>
            <List>
              {status.problems.map((problem) => (
                <List.Item key={`${problem.row}-${problem.reason}`}>
                  Row {problem.row}: {problem.reason}
                </List.Item>
              ))}
            </List>
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

export default function Data() {
  const { latest } = useLoaderData<typeof loader>();
  const importer = useFetcher<typeof action>();
  const [file, setFile] = useState<File | null>(null);
  const result = importer.data;
  const busy = importer.state !== "idle";
  const errors = result && "errors" in result ? result.errors : {};
  const preview = result && "preview" in result ? result : null;
  const send = (intent: "preview" | "apply") => {
    if (!file) return;
    const form = new FormData();
    form.append("intent", intent);
    form.append("file", file);
    if (intent === "apply" && preview) {
      form.append("fileHash", preview.preview.fileHash);
      form.append("requestKey", preview.requestKey);
    }
    importer.submit(form, { method: "post", encType: "multipart/form-data" });
  };
  const started = result && "importId" in result ? result.importId : null;
  const shown = started ?? latest?.id ?? null;

  return (
    <Page
      title="Data"
      subtitle="Export members and balances; import balances from another app"
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Export
              </Text>
              <Text as="p">
                Every member with their e-mail, points available, tier,
                birthday, pending and held points and lifetime earnings, as CSV.
                The file can be imported into another shop as it is.
              </Text>
              <InlineStack>
                <Button
                  onClick={() =>
                    downloadFrom(
                      "/app/data/members.csv",
                      `members-${new Date().toISOString().slice(0, 10)}.csv`,
                    )
                  }
                >
                  Export members (CSV)
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Import balances
              </Text>
              <Text as="p">
                A CSV with the columns <code>email</code> and{" "}
                <code>points</code>, and optionally <code>tier</code> and{" "}
                <code>birthday</code> (YYYY-MM-DD). Each shopper&apos;s imported
                points become what the file says, and a tier becomes the least
                they hold: importing the same file again adds nothing, and a
                corrected file changes only the rows that differ.
              </Text>
              <DropZone
                accept=".csv,text/csv"
                type="file"
                allowMultiple={false}
                error={Boolean(errors.file)}
                onDropAccepted={([accepted]) => setFile(accepted ?? null)}
              >
                {file ? (
                  <Text as="p" alignment="center">
                    {file.name} ({Math.ceil(file.size / 1024)} KB)
                  </Text>
                ) : (
                  <DropZone.FileUpload actionHint="Up to 4 MB" />
                )}
              </DropZone>
              {errors.file && (
                <Banner tone="critical" title="This file cannot be imported">
                  {errors.file}
                </Banner>
              )}
              <InlineStack gap="200">
                <Button
                  disabled={!file}
                  loading={busy}
                  onClick={() => send("preview")}
                >
                  Preview
                </Button>
                <Button
                  variant="primary"
                  disabled={!preview || preview.preview.rowsOk === 0}
                  loading={busy}
                  onClick={() => send("apply")}
                >
                  Import
                </Button>
              </InlineStack>
              {preview && (
                <BlockStack gap="200">
                  <Text as="p">
                    {preview.preview.rowsOk.toLocaleString()} rows ready,{" "}
                    {preview.preview.errorCount.toLocaleString()} with errors.{" "}
                    {preview.preview.toCreate} new members (looked up at Shopify
                    by e-mail), {preview.preview.toUpdate} to update,{" "}
                    {preview.preview.unchanged} already imported.{" "}
                    {preview.preview.totalPoints.toLocaleString()} points in the
                    file; {preview.preview.pointsToAdd.toLocaleString()} to add
                    now.
                  </Text>
                  {preview.preview.tiersRaised > 0 && (
                    <Text as="p" tone="subdued">
                      {preview.preview.tiersRaised} members move up to the tier
                      their row names. An imported tier is held for as long as
                      one reached here today would be, so the shopper has the
                      same time to requalify.
                    </Text>
                  )}
                  {preview.preview.errors.length > 0 && (
                    <List>
                      {preview.preview.errors.map((error) => (
                        <List.Item key={`${error.row}-${error.field}`}>
                          Row {error.row}, {error.field}: {error.message}
                        </List.Item>
                      ))}
                    </List>
                  )}
                </BlockStack>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        {shown && (
          <Layout.Section>
            <ImportProgress
              key={shown}
              importId={shown}
              known={started ? null : latest}
            />
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}
