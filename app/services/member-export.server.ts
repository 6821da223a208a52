import type { SqlDatabase } from "~/db/sql.server";
import { csvLine } from "~/loyalty/csv";
import type { TierLevelInput } from "~/loyalty/tiers";
import { levelHandle } from "~/loyalty/tiers";

/**
 * The columns of the members export. `email`, `points` (the available balance), `tier` and
 * `birthday` are the balance import's own columns, so an export can be imported elsewhere as is.
 */
export const MEMBER_EXPORT_COLUMNS = [
  "email",
  "points",
  "tier",
  "birthday",
  "first_name",
  "last_name",
  "customer_id",
  "pending",
  "held",
  "lifetime_earned",
  "joined_at",
] as const;

const BATCH = 1_000;

interface ExportRow {
  id: string;
  email: string | null;
  available: number;
  tierHandle: string | null;
  birthday: string | null;
  firstName: string | null;
  lastName: string | null;
  customerId: string;
  pending: number;
  held: number;
  lifetimeEarned: number;
  createdAt: Date;
}

/**
 * Every member of the shop as CSV, streamed a batch at a time in id order, so a large shop never
 * sits in memory whole. Members whose data was erased keep their points but no personal fields.
 */
export function membersCsv(
  sql: SqlDatabase,
  shop: string,
  levels: readonly TierLevelInput[],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const tierNames = new Map(
    levels.map((level) => [levelHandle(level), level.name]),
  );
  let after: string | null = null;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvLine(MEMBER_EXPORT_COLUMNS)));
        return;
      }
      const rows: ExportRow[] = await sql.query<ExportRow>(
        `SELECT id, email, available, "tierHandle", birthday, "firstName", "lastName",
           "customerId", pending, held, "lifetimeEarned", "createdAt"
         FROM "Member" WHERE shop = $1 AND ($2::text IS NULL OR id > $2)
         ORDER BY id LIMIT $3`,
        [shop, after, BATCH],
      );
      const last = rows.at(-1);
      if (!last) {
        controller.close();
        return;
      }
      after = last.id;
      controller.enqueue(
        encoder.encode(
          rows
            .map((row) =>
              csvLine([
                row.email,
                row.available,
                row.tierHandle === null
                  ? null
                  : (tierNames.get(row.tierHandle) ?? row.tierHandle),
                row.birthday,
                row.firstName,
                row.lastName,
                row.customerId,
                row.pending,
                row.held,
                row.lifetimeEarned,
                row.createdAt.toISOString(),
              ]),
            )
            .join(""),
        ),
      );
    },
  });
}
