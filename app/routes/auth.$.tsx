import type { LoaderFunctionArgs } from "@remix-run/node";
import { preloadDemoAppBridge } from "~/demo-mode.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  try {
    await authenticate.admin(request);
  } catch (thrown) {
    // The bounce page that fetches a fresh session token is one of the library's answers.
    if (thrown instanceof Response) preloadDemoAppBridge(thrown.headers);
    throw thrown;
  }
  return null;
};
