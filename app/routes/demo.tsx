import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import {
  demoAdminToken,
  demoHostParam,
  demoMode,
  demoRequestAllowed,
} from "~/demo-mode.server";

// The URL `npm run demo` prints: opens the admin as Shopify's admin would open the embedded app,
// with the shop, host and a fresh session token in the query. `?path=/app/tiers` opens that page.
export const loader = ({ request }: LoaderFunctionArgs) => {
  const demo = demoMode();
  if (!demo || !demoRequestAllowed(request))
    throw new Response("Not found", { status: 404 });
  const minted = demoAdminToken(demo.shop);
  if (!minted.ok) throw new Response("Not found", { status: 404 });
  const query = new URLSearchParams({
    embedded: "1",
    shop: demo.shop,
    host: demoHostParam(demo.shop),
    id_token: minted.token,
  });
  const path = new URL(request.url).searchParams.get("path") ?? "/app";
  const page = /^\/app(\/[a-z0-9._-]+)*$/.test(path) ? path : "/app";
  throw redirect(`${page}?${query.toString()}`);
};
