import { z } from "zod";
import type { SqlDatabase } from "~/db/sql.server";

// The admin's read models of members: the searchable, sortable list and one member's page. Every
// query is scoped by shop, so an id from another shop reads as not found.

export const MEMBER_SORTS = [
  "name",
  "email",
  "tier",
  "available",
  "lifetime",
] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];
export type SortDirection = "asc" | "desc";

export const MEMBERS_PAGE_SIZE = 50;

/**
 * Counting a shop's 100,000 members costs 30 ms on every page view while the page itself takes
 * 0.1 ms (measured on PostgreSQL 16), so the count stops here and the page says "10,000+".
 */
export const MEMBER_COUNT_LIMIT = 10_000;

/**
 * What each sort orders by. Name and e-mail are the exact expressions of the indexes in the
 * members_admin migration; tier is the rank of the member's tier in the program ($tiers, the
 * handles lowest first), 0 for a member not placed yet.
 */
const SORT_KEYS: Record<MemberSort, { sql: string; type: "text" | "int" }> = {
  name: {
    sql: `lower(coalesce(m."firstName", '') || ' ' || coalesce(m."lastName", ''))`,
    type: "text",
  },
  email: { sql: `lower(coalesce(m.email, ''))`, type: "text" },
  tier: {
    sql: `coalesce(array_position(ARRAY(SELECT jsonb_array_elements_text($tiers::jsonb)), m."tierHandle"), 0)`,
    type: "int",
  },
  available: { sql: `m.available`, type: "int" },
  lifetime: { sql: `m."lifetimeEarned"`, type: "int" },
};

export interface MemberListQuery {
  search: string;
  sort: MemberSort;
  direction: SortDirection;
  /** Cursors from a previous page: the rows after its last one, or before its first one. */
  after?: string | null;
  before?: string | null;
  limit?: number;
}

export interface MemberListItem {
  id: string;
  customerId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  tierHandle: string | null;
  available: number;
  lifetimeEarned: number;
  redacted: boolean;
}

export interface MemberListPage {
  members: MemberListItem[];
  /** Members matching the search, counted up to MEMBER_COUNT_LIMIT. */
  total: number;
  /** False when there are more than `total`. */
  totalIsExact: boolean;
  next: string | null;
  previous: string | null;
}

const cursorSchema = z.tuple([z.union([z.string(), z.int()]), z.string()]);
type Cursor = z.infer<typeof cursorSchema>;

const encodeCursor = (cursor: Cursor) =>
  Buffer.from(JSON.stringify(cursor)).toString("base64url");

/** A cursor the app did not write (edited by hand, or from an older sort) starts over. */
function decodeCursor(text: string | null | undefined): Cursor | null {
  if (!text) return null;
  try {
    const parsed = cursorSchema.safeParse(
      JSON.parse(Buffer.from(text, "base64url").toString("utf8")),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** `%term%` for LIKE, with the term's own wildcards taken literally. */
function containsPattern(search: string): string | null {
  const term = search.trim().toLowerCase();
  if (term === "") return null;
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * One page of the shop's members, keyset-paginated on (sort value, id): a page costs the same
 * deep in the list as at its start, and members joining meanwhile never shift a page.
 */
export async function listMembers(
  sql: SqlDatabase,
  shop: string,
  tierHandles: readonly string[],
  query: MemberListQuery,
): Promise<MemberListPage> {
  const key = SORT_KEYS[query.sort];
  const limit = query.limit ?? MEMBERS_PAGE_SIZE;
  const after = decodeCursor(query.after);
  const before = after ? null : decodeCursor(query.before);
  // Paging backwards reads the same order reversed from the cursor, then turns the rows round.
  const backwards = before !== null;
  const descending = (query.direction === "desc") !== backwards;
  const cursor = after ?? before;
  const cast = key.type === "int" ? "::int" : "";
  const expression = key.sql.replace("$tiers", "$5");
  const pattern = containsPattern(query.search);
  const matches = `m.shop = $1 AND ($2::text IS NULL
      OR lower(coalesce(m.email, '')) LIKE $2 ESCAPE '\\'
      OR lower(coalesce(m."firstName", '') || ' ' || coalesce(m."lastName", '')) LIKE $2 ESCAPE '\\')`;
  const order = descending ? "DESC" : "ASC";
  const rows = await sql.query<MemberListItem & { sortValue: string | number }>(
    `SELECT m.id, m."customerId", m."firstName", m."lastName", m.email, m."tierHandle",
       m.available, m."lifetimeEarned", m."redactedAt" IS NOT NULL AS redacted,
       ${expression} AS "sortValue"
     FROM "Member" m
     WHERE ${matches}
       AND ($3::jsonb IS NULL OR (${expression}, m.id) ${descending ? "<" : ">"}
            ((($3::jsonb)->>0)${cast}, ($3::jsonb)->>1))
     ORDER BY ${expression} ${order}, m.id ${order}
     LIMIT $4`,
    query.sort === "tier"
      ? [shop, pattern, cursor, limit + 1, tierHandles]
      : [shop, pattern, cursor, limit + 1],
  );
  const [counted] = await sql.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM (SELECT 1 FROM "Member" m WHERE ${matches} LIMIT $3) counted`,
    [shop, pattern, MEMBER_COUNT_LIMIT + 1],
  );
  const total = counted?.total ?? 0;
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  const cursorOf = (row: (typeof page)[number] | undefined) =>
    row ? encodeCursor([row.sortValue, row.id]) : null;
  return {
    members: page.map(({ sortValue: _sortValue, ...member }) => member),
    total: Math.min(total, MEMBER_COUNT_LIMIT),
    totalIsExact: total <= MEMBER_COUNT_LIMIT,
    next: backwards || more ? cursorOf(last) : null,
    previous: (backwards ? more : cursor !== null) ? cursorOf(first) : null,
  };
}

export interface LedgerLine {
  id: number;
  kind: string;
  points: number;
  reason: string | null;
  orderId: string | null;
  refundId: string | null;
  redemptionId: string | null;
  actor: string | null;
  uncollected: number | null;
  occurredAt: Date;
  recordedAt: Date;
}

export interface MemberPage {
  member: MemberListItem & {
    pending: number;
    held: number;
    birthday: string | null;
    tierSince: Date | null;
    /** A tier brought over by a balance import, held until `tierCreditUntil` (null: for good). */
    tierCreditHandle: string | null;
    tierCreditUntil: Date | null;
    joinedAt: Date;
  };
  ledger: LedgerLine[];
  /** The id to read older entries from, when there are more. */
  olderThan: number | null;
  tierHistory: {
    fromHandle: string | null;
    toHandle: string;
    direction: string;
    reason: string;
    at: Date;
  }[];
  openRedemptions: {
    id: string;
    points: number;
    valueMinor: number;
    currency: string;
    code: string | null;
    createdAt: Date;
    expiresAt: Date;
  }[];
}

export const LEDGER_PAGE_SIZE = 50;

/** A member of the shop with their ledger (newest first, a page at a time), tier history and open holds. */
export async function memberPage(
  sql: SqlDatabase,
  shop: string,
  memberId: string,
  options: { olderThan?: number | null; limit?: number } = {},
): Promise<MemberPage | null> {
  const limit = options.limit ?? LEDGER_PAGE_SIZE;
  const [member] = await sql.query<MemberPage["member"]>(
    `SELECT id, "customerId", "firstName", "lastName", email, "tierHandle", available, pending,
       held, "lifetimeEarned", birthday, "tierSince", "tierCreditHandle", "tierCreditUntil",
       "createdAt" AS "joinedAt",
       "redactedAt" IS NOT NULL AS redacted
     FROM "Member" WHERE shop = $1 AND id = $2`,
    [shop, memberId],
  );
  if (!member) return null;
  const entries = await sql.query<LedgerLine>(
    `SELECT id, kind, points, reason, "orderId", "refundId", "redemptionId",
       detail->>'actor' AS actor, (detail->>'uncollected')::int AS uncollected,
       "occurredAt", "recordedAt"
     FROM "LedgerEntry"
     WHERE shop = $1 AND "memberId" = $2 AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [shop, memberId, options.olderThan ?? null, limit + 1],
  );
  const tierHistory = await sql.query<MemberPage["tierHistory"][number]>(
    `SELECT "fromHandle", "toHandle", direction, reason, at FROM "TierChange"
     WHERE shop = $1 AND "memberId" = $2 ORDER BY id DESC`,
    [shop, memberId],
  );
  const openRedemptions = await sql.query<
    MemberPage["openRedemptions"][number]
  >(
    `SELECT id, points, "valueMinor", currency, code, "createdAt", "expiresAt" FROM "Redemption"
     WHERE shop = $1 AND "memberId" = $2 AND status = 'HELD' ORDER BY "createdAt" DESC`,
    [shop, memberId],
  );
  const ledger = entries.slice(0, limit);
  return {
    member,
    ledger,
    olderThan: entries.length > limit ? (ledger.at(-1)?.id ?? null) : null,
    tierHistory,
    openRedemptions,
  };
}

/** The Shopify customer id of one of the shop's members; null for another shop's member. */
export async function memberCustomerId(
  sql: SqlDatabase,
  shop: string,
  memberId: string,
): Promise<string | null> {
  const [row] = await sql.query<{ customerId: string }>(
    `SELECT "customerId" FROM "Member" WHERE shop = $1 AND id = $2`,
    [shop, memberId],
  );
  return row?.customerId ?? null;
}
