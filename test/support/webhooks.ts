import {
  deliverWebhook,
  type WebhookRequestOptions,
} from "../../simulator/webhooks";
import { ADMIN_API_VERSION } from "~/shopify/api-version";
import { testApp, type RunningApp } from "./app";

type Options = Omit<
  WebhookRequestOptions,
  "url" | "topic" | "shop" | "secret" | "apiVersion"
> & {
  /** Deliver to another topic's route (a misrouted delivery). */
  path?: string;
  secret?: string;
};

/** A delivery signed with the test app's secret, as Shopify would send it to the running app. */
export function sendWebhook(
  app: RunningApp,
  shop: string,
  topic: string,
  payload: unknown,
  options: Options = {},
) {
  return deliverWebhook({
    url: `${app.url}/webhooks/${options.path ?? topic}`,
    topic,
    shop,
    payload,
    secret: options.secret ?? testApp.apiSecret,
    apiVersion: ADMIN_API_VERSION,
    ...options,
  });
}
