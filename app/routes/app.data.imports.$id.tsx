import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "~/db.server";
import { balanceImportStatus } from "~/services/balance-import.server";
import { authenticate } from "~/shopify.server";

// Polled by the data page while an import runs.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const status = await balanceImportStatus(
    sql,
    session.shop,
    params.id ?? "",
    new Date(),
  );
  if (!status) throw new Response("No such import.", { status: 404 });
  return status;
};
