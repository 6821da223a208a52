import type { LoaderFunctionArgs } from "@remix-run/node";
import { APP_BRIDGE_STAND_IN } from "~/demo-app-bridge.server";
import { demoRequestAllowed } from "~/demo-mode.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  demoRequestAllowed(request)
    ? new Response(APP_BRIDGE_STAND_IN, {
        headers: {
          "Content-Type": "text/javascript; charset=utf-8",
          "Cache-Control": "no-store",
        },
      })
    : new Response("Not found", { status: 404 });
