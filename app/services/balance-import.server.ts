// Balances brought over from another loyalty app (docs/decisions/010-balance-import.md): a dry
// run that writes nothing, then a background run, one transaction per row, whose progress the
// admin polls. What a member was given by imports is read back from the ledger itself, so running
// the same file again adds nothing and a corrected file adds only the correction.
import { createHash } from "node:crypto";
import type { Tx } from "~/db/client.server";
import type { SqlDatabase } from "~/db/sql.server";
import {
  readBalanceImport,
  type ImportRow,
  type ImportRowError,
} from "~/loyalty/balance-import";
import { balanceImportKey } from "~/loyalty/keys";
import { adjust, applyWrite, concatWrites, settleDue } from "~/loyalty/ledger";
import type { ProgramConfig } from "~/loyalty/program";
import { rankedHandles, tierCreditUntil } from "~/loyalty/tiers";
import type { ShopifyCustomer } from "~/shopify/customer-by-email.server";
import { lockMember, writeLedger, type MemberRef } from "./ledger.server";
import { ensureMember } from "./members.server";
import { programConfig } from "./program.server";
import { reviewMemberTier } from "./tiers.server";

/** Finds the Shopify customer for an e-mail the app has no member for. */
export type CustomerLookup = (email: string) => Promise<ShopifyCustomer | null>;

export const fileHash = (text: string) =>
  createHash("sha256").update(text).digest("hex");

/** The preview lists this many bad rows; the count says how many there are in all. */
const LISTED_ERRORS = 500;

/** The member's imported total: each import entry's signed request (a removal records its size). */
const IMPORTED_TOTAL = (member: string) =>
  `(SELECT coalesce(sum(coalesce(-((e.detail->>'requested')::int), e.points)), 0)::int
    FROM "LedgerEntry" e
    WHERE e.shop = ${member}.shop AND e."memberId" = ${member}.id
      AND e."idempotencyKey" LIKE 'balance-import:%')`;

// The expression of the members_admin migration's e-mail index.
const EMAIL_KEY = `lower(coalesce(m.email, ''))`;

export interface ImportPreview {
  fileHash: string;
  rowsOk: number;
  errorCount: number;
  /** The first bad rows, in file order. */
  errors: ImportRowError[];
  /** Rows whose e-mail no member has yet: the customer is looked up at Shopify when applied. */
  toCreate: number;
  toUpdate: number;
  /** Members whose imported points and tier already are the file's: nothing is written for them. */
  unchanged: number;
  /** Points in the file's good rows. */
  totalPoints: number;
  /** What applying would add (or, for corrected rows, remove) in all. */
  pointsToAdd: number;
  /** Members the import raises to the higher tier their row names (see `tierCreditUntil`). */
  tiersRaised: number;
}

export type PreviewOutcome =
  { ok: true; preview: ImportPreview } | { ok: false; message: string };

interface KnownMember {
  email: string;
  id: string;
  tierHandle: string | null;
  tierCreditHandle: string | null;
  imported: number;
}

/** What importing `text` would do, written nowhere. */
export async function previewBalanceImport(
  sql: SqlDatabase,
  shop: string,
  text: string,
): Promise<PreviewOutcome> {
  const config = await sql.transaction((tx) => programConfig(tx, shop));
  if (!config) return { ok: false, message: "The program is not set up yet." };
  const reading = readBalanceImport(text, config.tiers.levels);
  if (!reading.ok) return reading;
  const known = await knownMembers(
    sql,
    shop,
    reading.rows.map((row) => row.email),
  );
  const ranked = rankedHandles(config.tiers.levels);
  const preview: ImportPreview = {
    fileHash: fileHash(text),
    rowsOk: reading.rows.length,
    errorCount: reading.errors.length,
    errors: reading.errors.slice(0, LISTED_ERRORS),
    toCreate: 0,
    toUpdate: 0,
    unchanged: 0,
    totalPoints: 0,
    pointsToAdd: 0,
    tiersRaised: 0,
  };
  for (const row of reading.rows) {
    const member = known.get(row.email);
    preview.totalPoints += row.points;
    preview.pointsToAdd += row.points - (member?.imported ?? 0);
    if (!member) preview.toCreate += 1;
    else if (
      member.imported === row.points &&
      (row.tier === null || row.tier === member.tierCreditHandle)
    )
      preview.unchanged += 1;
    else preview.toUpdate += 1;
    // A member starts in the first tier (rank 0); an unchanged credit was applied already, and a
    // program that is off reviews no tiers until it is on.
    const rankNow = Math.max(ranked.indexOf(member?.tierHandle ?? ""), 0);
    if (
      config.enabled &&
      row.tier !== null &&
      row.tier !== member?.tierCreditHandle &&
      ranked.indexOf(row.tier) > rankNow
    )
      preview.tiersRaised += 1;
  }
  return { ok: true, preview };
}

async function knownMembers(
  sql: SqlDatabase,
  shop: string,
  emails: string[],
): Promise<Map<string, KnownMember>> {
  const rows = await sql.query<KnownMember>(
    `SELECT DISTINCT ON (${EMAIL_KEY}) ${EMAIL_KEY} AS email, m.id, m."tierHandle",
       m."tierCreditHandle", ${IMPORTED_TOTAL("m")} AS imported
     FROM "Member" m
     WHERE m.shop = $1 AND m."redactedAt" IS NULL
       AND ${EMAIL_KEY} IN (SELECT jsonb_array_elements_text($2::jsonb))
     ORDER BY ${EMAIL_KEY}, m."createdAt", m.id`,
    [shop, emails],
  );
  return new Map(rows.map((row) => [row.email, row]));
}

export interface StartImportRequest {
  shop: string;
  text: string;
  fileName: string;
  /** The hash the preview showed: applying is refused if the file is not the one previewed. */
  expectedHash: string;
  /** The apply form's nonce: a second press of Apply answers with the same run. */
  requestKey: string;
  actor: string;
  now: Date;
  lookup: CustomerLookup;
}

export type StartOutcome =
  { ok: true; importId: string } | { ok: false; message: string };

/**
 * Records the run with the rows to apply and starts applying them in the background; the admin
 * polls `balanceImportStatus`. Rows with errors are listed as problems and skipped.
 */
export async function startBalanceImport(
  sql: SqlDatabase,
  request: StartImportRequest,
): Promise<StartOutcome> {
  if (fileHash(request.text) !== request.expectedHash)
    return {
      ok: false,
      message: "This is not the file that was previewed. Preview it again.",
    };
  const config = await sql.transaction((tx) => programConfig(tx, request.shop));
  if (!config) return { ok: false, message: "The program is not set up yet." };
  const reading = readBalanceImport(request.text, config.tiers.levels);
  if (!reading.ok) return reading;
  const [inserted] = await sql.query<{ id: string }>(
    `INSERT INTO "BalanceImport" (id, shop, "requestKey", "fileName", "fileHash", actor, status,
       total, problems, rows, "startedAt", "updatedAt")
     VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, 'RUNNING', $6, $7, $8, $9, $9)
     ON CONFLICT (shop, "requestKey") DO NOTHING
     RETURNING id`,
    [
      request.shop,
      request.requestKey,
      request.fileName,
      request.expectedHash,
      request.actor,
      reading.rows.length,
      reading.errors.map(problemOf),
      reading.rows,
      request.now,
    ],
  );
  if (!inserted) {
    const [existing] = await sql.query<{ id: string }>(
      `SELECT id FROM "BalanceImport" WHERE shop = $1 AND "requestKey" = $2`,
      [request.shop, request.requestKey],
    );
    if (!existing) throw new Error("an import run vanished");
    return { ok: true, importId: existing.id };
  }
  void runBalanceImport(sql, inserted.id, request.lookup, request.now);
  return { ok: true, importId: inserted.id };
}

const problemOf = (error: ImportRowError) => ({
  row: error.row,
  reason: `${error.field}: ${error.message}`,
});

type RowOutcome =
  | { kind: "created" | "updated"; points: number }
  | { kind: "unchanged" }
  | { kind: "problem"; reason: string };

/** Rows applied between two progress updates of the status row. */
const PROGRESS_EVERY = 25;

/**
 * Applies the run's rows from where it stands. Each row is its own transaction, so a failure
 * leaves every row either applied whole or not at all; the rows are dropped from the status row
 * when the run ends, whichever way.
 */
export async function runBalanceImport(
  sql: SqlDatabase,
  importId: string,
  lookup: CustomerLookup,
  now: Date,
): Promise<void> {
  const [run] = await sql.query<
    RunContext & { done: number; rows: ImportRow[] | null }
  >(
    `SELECT b.shop, b."fileName", b.actor, s.timezone, b.done, b.rows
     FROM "BalanceImport" b JOIN "Shop" s ON s.shop = b.shop WHERE b.id = $1`,
    [importId],
  );
  if (!run?.rows) return;
  const tally = { done: run.done, created: 0, updated: 0, points: 0 };
  let problems: { row: number; reason: string }[] = [];
  const flush = () =>
    sql.query(
      `UPDATE "BalanceImport" SET done = $2, created = created + $3, updated = updated + $4,
         "pointsAdded" = "pointsAdded" + $5, problems = problems || $6::jsonb, "updatedAt" = now()
       WHERE id = $1`,
      [
        importId,
        tally.done,
        tally.created,
        tally.updated,
        tally.points,
        problems,
      ],
    );
  const finish = (status: "DONE" | "FAILED", error: string | null) =>
    sql.query(
      `UPDATE "BalanceImport" SET status = $2, error = $3, rows = NULL, "finishedAt" = now(),
         "updatedAt" = now()
       WHERE id = $1`,
      [importId, status, error],
    );
  try {
    const context = {
      shop: run.shop,
      fileName: run.fileName,
      actor: run.actor,
      timezone: run.timezone,
    };
    for (const row of run.rows.slice(run.done)) {
      const outcome = await applyRow(sql, context, row, lookup, now);
      tally.done += 1;
      if (outcome.kind === "problem")
        problems.push({ row: row.row, reason: outcome.reason });
      else if (outcome.kind !== "unchanged") {
        tally[outcome.kind] += 1;
        tally.points += outcome.points;
      }
      if (tally.done % PROGRESS_EVERY === 0) {
        await flush();
        Object.assign(tally, { created: 0, updated: 0, points: 0 });
        problems = [];
      }
    }
    await flush();
    await finish("DONE", null);
  } catch (error) {
    await flush();
    await finish(
      "FAILED",
      error instanceof Error ? error.message : String(error),
    );
  }
}

interface RunContext {
  shop: string;
  fileName: string;
  actor: string;
  timezone: string;
}

async function applyRow(
  sql: SqlDatabase,
  run: RunContext,
  row: ImportRow,
  lookup: CustomerLookup,
  now: Date,
): Promise<RowOutcome> {
  const [known] = await sql.query<{ id: string }>(
    `SELECT m.id FROM "Member" m
     WHERE m.shop = $1 AND ${EMAIL_KEY} = $2 AND m."redactedAt" IS NULL
     ORDER BY m."createdAt", m.id LIMIT 1`,
    [run.shop, row.email],
  );
  // Outside the transaction: no row lock is held while Shopify answers.
  const customer = known ? null : await lookup(row.email);
  const target: MemberTarget | null = known
    ? { kind: "member", memberId: known.id }
    : customer
      ? { kind: "customer", customer }
      : null;
  if (!target)
    return {
      kind: "problem",
      reason:
        "no Shopify customer has this e-mail; import the file again once they have an account",
    };
  return sql.transaction(async (tx) => {
    const config = await programConfig(tx, run.shop);
    if (!config) throw new Error(`shop ${run.shop} has no program`);
    const joined = await joinMember(tx, run.shop, target);
    if (joined.redacted)
      return {
        kind: "problem",
        reason: "this customer's data was erased at their request",
      };
    const member: MemberRef = { shop: run.shop, memberId: joined.memberId };
    await lockMember(tx, member);
    if (row.birthday !== null)
      await tx.query(
        `UPDATE "Member" SET birthday = $3, "updatedAt" = now() WHERE shop = $1 AND id = $2`,
        [run.shop, member.memberId, row.birthday],
      );
    const written = await writeImportedBalance(
      tx,
      member,
      row,
      run,
      config,
      now,
    );
    const credited =
      row.tier !== null &&
      (await creditTier(tx, member, row.tier, config, run.timezone, now));
    // In the row's transaction, so a raised tier is recorded, tagged and announced with the row.
    if (config.enabled && (written !== null || credited || joined.created))
      await reviewMemberTier(tx, member, config, now, written?.balances);
    const points = written?.points ?? 0;
    if (joined.created) return { kind: "created", points };
    return written || credited
      ? { kind: "updated", points }
      : { kind: "unchanged" };
  });
}

type MemberTarget =
  | { kind: "member"; memberId: string }
  | { kind: "customer"; customer: ShopifyCustomer };

/** The member a row is for: known by e-mail, or the Shopify customer the lookup found. */
async function joinMember(
  tx: Tx,
  shop: string,
  target: MemberTarget,
): Promise<{ memberId: string; created: boolean; redacted: boolean }> {
  if (target.kind === "member")
    return { memberId: target.memberId, created: false, redacted: false };
  const { customer } = target;
  // The customer may already be a member under an older e-mail: then it is an update.
  const [existing] = await tx.query<{ id: string }>(
    `SELECT id FROM "Member" WHERE shop = $1 AND "customerId" = $2`,
    [shop, customer.customerId],
  );
  const ensured = await ensureMember(tx, shop, customer.customerId, {
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
  });
  return {
    memberId: ensured.memberId,
    created: !existing,
    redacted: ensured.redacted,
  };
}

/**
 * Moves the member's imported total to the row's points with one adjustment entry, or writes
 * nothing when it is there already. The caller holds the member's lock, so the total read here
 * is current; the entry's key is the member's nth import change, so two racing runs cannot both
 * write it.
 */
async function writeImportedBalance(
  tx: Tx,
  member: MemberRef,
  row: ImportRow,
  run: RunContext,
  config: ProgramConfig,
  now: Date,
) {
  const [state] = await tx.query<{ imported: number; changes: number }>(
    `SELECT ${IMPORTED_TOTAL("m")} AS imported,
       (SELECT count(*)::int FROM "LedgerEntry" e WHERE e.shop = m.shop AND e."memberId" = m.id
          AND e."idempotencyKey" LIKE 'balance-import:%') AS changes
     FROM "Member" m WHERE m.shop = $1 AND m.id = $2`,
    [member.shop, member.memberId],
  );
  const delta = row.points - (state?.imported ?? 0);
  if (delta === 0) return null;
  const key = balanceImportKey(member.memberId, (state?.changes ?? 0) + 1);
  const result = await writeLedger(tx, member, {
    key,
    plan: (ledger) => {
      const settled = settleDue(ledger, now);
      return concatWrites(
        settled,
        adjust(applyWrite(ledger, settled), {
          key,
          points: delta,
          reason: `Opening balance imported from ${run.fileName}`,
          actor: run.actor,
          policy: config.negativeBalancePolicy,
          occurredAt: now,
        }),
      );
    },
  });
  return result.status === "applied"
    ? { points: delta, balances: result.state.balances }
    : null;
}

/**
 * Records the row's tier as the member's tier credit, held for as long as the tier would be had the
 * member reached it by activity today. The same tier again keeps the credit it has, so importing a
 * file twice neither moves nor extends it; another tier (a corrected file) replaces it. Returns
 * whether the credit changed.
 */
async function creditTier(
  tx: Tx,
  member: MemberRef,
  handle: string,
  config: ProgramConfig,
  timezone: string,
  now: Date,
): Promise<boolean> {
  const until = tierCreditUntil(
    now,
    config.tiers.window,
    config.tiers.graceDays,
    timezone,
  );
  const updated = await tx.query(
    `UPDATE "Member" SET "tierCreditHandle" = $3, "tierCreditUntil" = $4, "updatedAt" = now()
     WHERE shop = $1 AND id = $2 AND "tierCreditHandle" IS DISTINCT FROM $3
     RETURNING id`,
    [member.shop, member.memberId, handle, until],
  );
  return updated.length > 0;
}

export interface ImportStatus {
  id: string;
  fileName: string;
  status: "RUNNING" | "DONE" | "FAILED" | "INTERRUPTED";
  total: number;
  done: number;
  created: number;
  updated: number;
  pointsAdded: number;
  problems: { row: number; reason: string }[];
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** A run that has not moved for this long died with its process (a restart, a deploy). */
const STALLED_AFTER_MS = 5 * 60_000;

/** One run of the shop's, or its latest when no id is given; null when there is none. */
export async function balanceImportStatus(
  sql: SqlDatabase,
  shop: string,
  importId: string | null,
  now: Date,
): Promise<ImportStatus | null> {
  const [row] = await sql.query<ImportStatus & { updatedAt: Date }>(
    `SELECT id, "fileName", status, total, done, created, updated, "pointsAdded", problems,
       error, "startedAt", "finishedAt", "updatedAt"
     FROM "BalanceImport"
     WHERE shop = $1 AND ($2::text IS NULL OR id = $2)
     ORDER BY "startedAt" DESC LIMIT 1`,
    [shop, importId],
  );
  if (!row) return null;
  const { updatedAt, ...status } = row;
  const stalled =
    status.status === "RUNNING" &&
    now.getTime() - updatedAt.getTime() > STALLED_AFTER_MS;
  return stalled ? { ...status, status: "INTERRUPTED" } : status;
}
