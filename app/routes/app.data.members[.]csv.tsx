import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "~/db.server";
import { membersCsv } from "~/services/member-export.server";
import { programConfig } from "~/services/program.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const config = await sql.transaction((tx) => programConfig(tx, session.shop));
  const day = new Date().toISOString().slice(0, 10);
  return new Response(
    membersCsv(sql, session.shop, config?.tiers.levels ?? []),
    {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="members-${day}.csv"`,
        "Cache-Control": "no-store",
      },
    },
  );
};
