import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

// Shopify opens the app with ?shop=…; everything merchant-facing lives under /app.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop"))
    throw redirect(`/app?${url.searchParams.toString()}`);
  return new Response(
    "Loyalty points for Shopify. Install the app from your Shopify admin.",
    {
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    },
  );
};
