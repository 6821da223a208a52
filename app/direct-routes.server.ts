import { loader as shopperSummary } from "~/routes/api.checkout.loyalty";
import { webhookRoute } from "~/webhooks.server";
import type { DirectAnswer, DirectRoute } from "./direct-route.server";

async function answerOf(response: Response): Promise<DirectAnswer> {
  const headers: DirectAnswer["headers"] = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  return { status: response.status, headers, body: await response.text() };
}

// Remix answers with a Response a loader throws (the library's 401s and preflights).
const answerThrown = (thrown: unknown) => {
  if (thrown instanceof Response) return thrown;
  throw thrown;
};

// The token's verification is most of a summary's work, so the whole summary takes a place.
const summaryRoute: DirectRoute = (request) =>
  request.admit(() =>
    shopperSummary({ request: request.fetchRequest(), params: {}, context: {} })
      .catch(answerThrown)
      .then(answerOf),
  );

/**
 * The app's busiest requests, served without Remix's router: the node server in front of Remix
 * asks for the route first (server/app-server.ts). Webhook deliveries
 * (docs/decisions/007-webhook-path.md) and the checkout's summary, which every checkout page view
 * asks for, run the same route code as through Remix, without matching the whole route tree
 * first. Null sends the request on to Remix.
 */
export function directRoute(
  method: string,
  pathname: string,
): DirectRoute | null {
  const webhook = webhookRoute(method, pathname);
  if (webhook) return webhook;
  if (
    (method === "GET" || method === "OPTIONS") &&
    pathname === "/api/checkout/loyalty"
  )
    return summaryRoute;
  return null;
}
