import { beforeAll, describe, expect, it } from "vitest";
import { MAX_IMPORT_BYTES } from "~/loyalty/balance-import";
import type { ProgramConfig } from "~/loyalty/program";
import { ensureMember } from "~/services/members.server";
import { outboxHandlers, runOutboxOnce } from "~/services/outbox-worker.server";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { reviewTiers } from "~/services/settlement.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload } from "../../simulator/webhooks";
import { adminRequest } from "../support/admin";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const stack = useTestStack();

const dataPage = { path: "/app/data", id: "routes/app.data._index" };
const csvExport = {
  path: "/app/data/members.csv",
  id: "routes/app.data.members[.]csv",
};
const importStatus = (id: string) => ({
  path: `/app/data/imports/${id}`,
  id: "routes/app.data.imports.$id",
});

const shop = "data-page.myshopify.com";
const exportShop = "data-export.myshopify.com";

async function openShop(
  name: string,
  tiers: Partial<ProgramConfig["tiers"]> = {},
) {
  await registerLocalShop({
    shop: name,
    accessToken: `shpat_${name.split(".")[0]}`,
  });
  await stack.db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, name);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, name, {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01T00:00:00Z"),
      tiers: { ...config.tiers, ...tiers },
    });
  });
}

beforeAll(async () => {
  await openShop(shop);
  await openShop(exportShop);
  // A member the app knows already, with 120 points earned here.
  await sendWebhook(
    stack.app,
    shop,
    "orders/paid",
    orderPayload({
      id: 61_001,
      currency: "USD",
      customer: {
        id: 6101,
        email: "known@example.org",
        first_name: "Kay",
        last_name: "Known",
      },
      lines: [{ id: 610_010, price: "120.00", quantity: 1 }],
      createdAt: new Date().toISOString(),
    }),
  );
  // A Shopify customer the app has never seen.
  stack.simulator.addCustomer(shop, {
    id: 6102,
    email: "New.Comer@example.org",
    firstName: "Nia",
    lastName: "Comer",
  });
});

const member = (customerId: string) =>
  stack.db.prisma.member.findUnique({
    where: { shop_customerId: { shop, customerId } },
  });
const entryCount = () => stack.db.prisma.ledgerEntry.count({ where: { shop } });

function upload(
  fields: Record<string, string>,
  csv: string,
  to = shop,
  fileName = "old-app.csv",
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([csv], { type: "text/csv" }), fileName);
  return adminRequest(stack.app, to, dataPage, {
    method: "POST",
    multipart: form,
    userId: "8800",
  });
}

interface Preview {
  preview: {
    fileHash: string;
    rowsOk: number;
    errorCount: number;
    errors: { row: number; field: string; message: string }[];
    toCreate: number;
    toUpdate: number;
    unchanged: number;
    totalPoints: number;
    pointsToAdd: number;
    tiersRaised: number;
  };
  requestKey: string;
}

async function preview(csv: string, to = shop): Promise<Preview> {
  const response = await upload({ intent: "preview" }, csv, to);
  expect(response.status).toBe(200);
  return (await response.json()) as Preview;
}

interface Status {
  status: string;
  total: number;
  done: number;
  created: number;
  updated: number;
  pointsAdded: number;
  problems: { row: number; reason: string }[];
}

/** Applies a previewed file and polls the progress endpoint until the run ends. */
async function apply(
  csv: string,
  previewed: Preview,
  to = shop,
): Promise<Status> {
  const response = await upload(
    {
      intent: "apply",
      fileHash: previewed.preview.fileHash,
      requestKey: previewed.requestKey,
    },
    csv,
    to,
  );
  expect(response.status).toBe(200);
  const { importId } = (await response.json()) as { importId: string };
  return finished(importId, to);
}

async function finished(importId: string, to = shop): Promise<Status> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const polled = await adminRequest(stack.app, to, importStatus(importId));
    expect(polled.status).toBe(200);
    const status = (await polled.json()) as Status;
    if (status.status !== "RUNNING") return status;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error("the import never finished");
}

const file = [
  "email,points,tier,birthday",
  "known@example.org,500,Silver,1988-04-12",
  "new.comer@example.org,250,,",
  "nobody@example.org,75,,",
].join("\n");

describe("importing balances", () => {
  it("previews a file, listing the bad row with its number and reason, and writes nothing", async () => {
    const entries = await entryCount();
    const members = await stack.db.prisma.member.count({ where: { shop } });
    const withBadRow = `${file}\nbroken@example.org,12.5,,`;
    const { preview: summary } = await preview(withBadRow);
    expect(summary).toMatchObject({
      rowsOk: 3,
      errorCount: 1,
      errors: [
        {
          row: 5,
          field: "points",
          message: "a whole number of points, 0 or more",
        },
      ],
      toCreate: 2,
      toUpdate: 1,
      unchanged: 0,
      totalPoints: 825,
      pointsToAdd: 825,
      // known@ holds Bronze here; the file says Silver.
      tiersRaised: 1,
    });
    expect(await entryCount()).toBe(entries);
    expect(await stack.db.prisma.member.count({ where: { shop } })).toBe(
      members,
    );
    expect(await stack.db.prisma.balanceImport.count({ where: { shop } })).toBe(
      0,
    );
  });

  it("applies in the background with progress: known members updated, Shopify customers found by e-mail, the rest reported", async () => {
    const status = await apply(file, await preview(file));
    expect(status).toMatchObject({
      status: "DONE",
      total: 3,
      done: 3,
      created: 1,
      updated: 1,
      pointsAdded: 750,
      problems: [
        {
          row: 4,
          reason:
            "no Shopify customer has this e-mail; import the file again once they have an account",
        },
      ],
    });
    expect(await member("6101")).toMatchObject({
      available: 620,
      lifetimeEarned: 120,
      birthday: "1988-04-12",
      // Brought over from the old app, though 120 points earned here make Bronze.
      tierHandle: "silver",
    });
    expect(await member("6102")).toMatchObject({
      email: "New.Comer@example.org",
      firstName: "Nia",
      available: 250,
      tierHandle: "bronze",
    });
    const opening = await stack.db.prisma.ledgerEntry.findFirstOrThrow({
      where: {
        shop,
        idempotencyKey: { startsWith: "balance-import:" },
        points: 250,
      },
    });
    expect(opening).toMatchObject({
      kind: "ADJUSTMENT",
      reason: "Opening balance imported from old-app.csv",
    });
    expect(opening.detail).toMatchObject({ actor: "staff:8800" });
    // The rows (e-mails) are not kept once the run is over.
    const run = await stack.db.prisma.balanceImport.findFirstOrThrow({
      where: { shop },
    });
    expect(run.rows).toBeNull();
  });

  it("adds nothing when the same file is imported again", async () => {
    const entries = await entryCount();
    const again = await preview(file);
    expect(again.preview).toMatchObject({
      toCreate: 1,
      unchanged: 2,
      pointsToAdd: 75,
    });
    const status = await apply(file, again);
    expect(status).toMatchObject({
      status: "DONE",
      created: 0,
      updated: 0,
      pointsAdded: 0,
    });
    expect(await entryCount()).toBe(entries);
    expect(await member("6101")).toMatchObject({ available: 620 });
  });

  it("applies only the correction when a corrected file is imported", async () => {
    const corrected = file.replace(
      "new.comer@example.org,250",
      "new.comer@example.org,200",
    );
    const status = await apply(corrected, await preview(corrected));
    expect(status).toMatchObject({ updated: 1, pointsAdded: -50 });
    expect(await member("6102")).toMatchObject({ available: 200 });
    expect(await member("6101")).toMatchObject({ available: 620 });
  });

  it("starts one run when Apply is pressed twice", async () => {
    const previewed = await preview(file);
    const fields = {
      intent: "apply",
      fileHash: previewed.preview.fileHash,
      requestKey: previewed.requestKey,
    };
    const [one, two] = await Promise.all([
      upload(fields, file),
      upload(fields, file),
    ]);
    const [first, second] = (await Promise.all([one.json(), two.json()])) as {
      importId: string;
    }[];
    expect(first?.importId).toEqual(second?.importId);
    expect(await finished(first?.importId ?? "")).toMatchObject({
      status: "DONE",
    });
  });

  it("refuses to apply a file other than the one previewed", async () => {
    const previewed = await preview(file);
    const response = await upload(
      {
        intent: "apply",
        fileHash: previewed.preview.fileHash,
        requestKey: previewed.requestKey,
      },
      file.replace("75", "7500"),
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      errors: {
        file: "This is not the file that was previewed. Preview it again.",
      },
    });
  });

  it("refuses a file over the size limit with a clear error, and a file that is not an import", async () => {
    const huge = `email,points\n${"x".repeat(MAX_IMPORT_BYTES + 1)}`;
    const tooLarge = await upload({ intent: "preview" }, huge);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({
      errors: {
        file: "The file is larger than 4 MB. Split it into several files.",
      },
    });
    const wrongColumns = await upload(
      { intent: "preview" },
      "mail,balance\na@b.co,5",
    );
    expect(wrongColumns.status).toBe(422);
    expect(await wrongColumns.json()).toEqual({
      errors: {
        file: "The first row must name the columns; missing: email, points.",
      },
    });
    const noFile = await adminRequest(stack.app, shop, dataPage, {
      method: "POST",
      multipart: (() => {
        const form = new FormData();
        form.append("intent", "preview");
        return form;
      })(),
    });
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toEqual({
      errors: { file: "Choose a CSV file." },
    });
  });

  it("shows the latest run on the page, and another shop's run to no one else", async () => {
    const page = await adminRequest(stack.app, shop, dataPage);
    const { latest } = (await page.json()) as {
      latest: { id: string; status: string };
    };
    expect(latest.status).toBe("DONE");
    expect(
      (await adminRequest(stack.app, exportShop, importStatus(latest.id)))
        .status,
    ).toBe(404);
  });
});

describe("importing tiers", () => {
  const tierShop = "data-tiers.myshopify.com";
  const tierFile = "email,points,tier\ngilda@example.org,300,Gold";
  const day = 86_400_000;

  beforeAll(async () => {
    const level = (name: string, threshold: number, entryRewardPoints = 0) => ({
      name,
      threshold,
      entryRewardPoints,
      earnMultiplierBasisPoints: 10_000,
    });
    await openShop(tierShop, {
      window: "ROLLING_12_MONTHS",
      graceDays: 30,
      // Gold has an entry reward, which reaching Gold by import does not pay.
      levels: [
        level("Bronze", 0),
        level("Silver", 500),
        level("Gold", 1500, 100),
      ],
    });
    stack.simulator.addCustomer(tierShop, {
      id: 6201,
      email: "gilda@example.org",
      tags: ["vip"],
    });
  });

  const gilda = () =>
    stack.db.prisma.member.findUniqueOrThrow({
      where: { shop_customerId: { shop: tierShop, customerId: "6201" } },
    });
  const history = async () =>
    (
      await stack.db.prisma.tierChange.findMany({
        where: { shop: tierShop },
        orderBy: { id: "asc" },
      })
    ).map((change) => [change.fromHandle, change.toHandle, change.reason]);
  const written = async () => ({
    entries: await stack.db.prisma.ledgerEntry.count({
      where: { shop: tierShop },
    }),
    changes: await stack.db.prisma.tierChange.count({
      where: { shop: tierShop },
    }),
    jobs: await stack.db.prisma.outboxJob.count({ where: { shop: tierShop } }),
  });

  it("makes a shopper with no history here Gold, records why, and tags them at Shopify", async () => {
    const previewed = await preview(tierFile, tierShop);
    expect(previewed.preview).toMatchObject({ toCreate: 1, tiersRaised: 1 });
    const importedAt = Date.now();
    expect(await apply(tierFile, previewed, tierShop)).toMatchObject({
      status: "DONE",
      created: 1,
    });
    const member = await gilda();
    expect(member).toMatchObject({
      available: 300,
      lifetimeEarned: 0,
      tierHandle: "gold",
      tierCreditHandle: "gold",
    });
    // Held as long as Gold reached by an order today: 12 months, then 30 days' grace.
    const until = member.tierCreditUntil?.getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(importedAt + 395 * day);
    expect(until).toBeLessThanOrEqual(Date.now() + 396 * day);
    expect(await history()).toEqual([[null, "gold", "IMPORTED"]]);
    // No Gold entry reward: the only entry is the opening balance.
    expect(
      await stack.db.prisma.ledgerEntry.count({ where: { shop: tierShop } }),
    ).toBe(1);

    // Through the outbox like any tier change (the other shop's jobs go too; they are not checked).
    const { unauthenticated } = await import("~/shopify.server");
    await runOutboxOnce({
      sql: stack.db.sql,
      adminFor: async (name) => (await unauthenticated.admin(name)).admin,
      handlers: outboxHandlers,
      workerId: "data-test",
    });
    expect(
      stack.simulator.state
        .require(tierShop)
        .customers.get("gid://shopify/Customer/6201")
        ?.tags.sort(),
    ).toEqual(["loyalty-tier:gold", "vip"]);
  });

  it("writes nothing new when the same file is imported again, and keeps the credit's end", async () => {
    const before = await written();
    const { tierCreditUntil } = await gilda();
    const again = await preview(tierFile, tierShop);
    expect(again.preview).toMatchObject({ unchanged: 1, tiersRaised: 0 });
    expect(await apply(tierFile, again, tierShop)).toMatchObject({
      status: "DONE",
      created: 0,
      updated: 0,
    });
    expect(await written()).toEqual(before);
    expect((await gilda()).tierCreditUntil).toEqual(tierCreditUntil);
  });

  it("the scheduled review keeps Gold until the credit ends, then demotes as for anyone below it", async () => {
    const until = (await gilda()).tierCreditUntil;
    if (!until) throw new Error("a rolling window's credit ends");
    expect(
      await reviewTiers(stack.db.sql, new Date(until.getTime() - 1), {
        shop: tierShop,
      }),
    ).toEqual({ reviewed: 1, changed: 0 });
    expect(await gilda()).toMatchObject({ tierHandle: "gold" });
    expect(await reviewTiers(stack.db.sql, until, { shop: tierShop })).toEqual({
      reviewed: 1,
      changed: 1,
    });
    expect(await gilda()).toMatchObject({ tierHandle: "bronze" });
    expect((await history()).at(-1)).toEqual([
      "gold",
      "bronze",
      "NOT_QUALIFIED",
    ]);
  });
});

describe("exporting members", () => {
  it("streams every member of the shop as CSV, quoting and defusing what a spreadsheet would misread", async () => {
    await stack.db.sql.transaction(async (tx) => {
      await ensureMember(tx, exportShop, "7001", {
        email: "plain@example.org",
        firstName: "Ng, Cy",
        lastName: 'the "best"',
      });
      await ensureMember(tx, exportShop, "7002", {
        email: "formula@example.org",
        firstName: '=HYPERLINK("http://x")',
        lastName: "+1",
      });
    });
    const response = await adminRequest(stack.app, exportShop, csvExport);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe(
      "text/csv; charset=utf-8",
    );
    const lines = (await response.text()).split("\r\n");
    expect(lines[0]).toBe(
      "email,points,tier,birthday,first_name,last_name,customer_id,pending,held,lifetime_earned,joined_at",
    );
    const rows = lines.slice(1, -1).sort();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^formula@example\.org,0,,,"'=HYPERLINK\(""http:\/\/x""\)",'\+1,7002,0,0,0,\d{4}-/,
    );
    expect(rows[1]).toMatch(
      /^plain@example\.org,0,,,"Ng, Cy","the ""best""",7001,0,0,0,\d{4}-/,
    );
    expect(lines.at(-1)).toBe("");
  });
});
