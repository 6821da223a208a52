import type { LoaderFunctionArgs } from "@remix-run/node";
import { demoAdminToken, demoRequestAllowed } from "~/demo-mode.server";

// What App Bridge's `shopify.idToken()` gets from the admin, for the demo's stand-in.
export const loader = ({ request }: LoaderFunctionArgs) => {
  if (!demoRequestAllowed(request))
    return new Response("Not found", { status: 404 });
  const shop = new URL(request.url).searchParams.get("shop") ?? "";
  const minted = demoAdminToken(shop);
  if (!minted.ok)
    return new Response(JSON.stringify({ error: minted.reason }), {
      status: 403,
      headers: { "Content-Type": "application/json" },
    });
  return new Response(JSON.stringify({ token: minted.token }), {
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    },
  });
};
