import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma, { sql } from "~/db.server";
import { exportMemberData } from "~/services/compliance.server";
import { memberCustomerId } from "~/services/member-directory.server";
import { authenticate } from "~/shopify.server";

// The member's data as a customers/data_request answers it: what the merchant sends the shopper.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const customerId = await memberCustomerId(sql, session.shop, params.id ?? "");
  const data =
    customerId === null
      ? null
      : await exportMemberData(prisma, session.shop, customerId, new Date());
  if (!data) throw new Response("No such member.", { status: 404 });
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="member-${customerId}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
