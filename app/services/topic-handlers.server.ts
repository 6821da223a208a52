import { appScopesUpdate, appUninstalled } from "./app-lifecycle.server";
import {
  customersDataRequest,
  customersRedact,
  shopRedact,
} from "./compliance.server";
import { customersCreate, customersUpdate } from "./customers.server";
import {
  ordersCancelled,
  ordersPaid,
  refundsCreate,
} from "./order-topics.server";
import type { TopicHandler } from "./webhook-runner.server";
import type { z } from "zod";

/** Every topic the app handles, by the name the library reports; used to replay stored deliveries. */
export const topicHandlers: Record<
  string,
  TopicHandler<z.ZodType>
> = Object.fromEntries(
  [
    ordersPaid,
    ordersCancelled,
    refundsCreate,
    customersCreate,
    customersUpdate,
    appUninstalled,
    appScopesUpdate,
    customersDataRequest,
    customersRedact,
    shopRedact,
  ].map((handler) => [handler.topic, handler as TopicHandler<z.ZodType>]),
);

/** "ORDERS_PAID" → "/webhooks/orders/paid": the uri shopify.app.toml subscribes each topic at. */
export const webhookPath = (topic: string) =>
  `/webhooks/${topic.toLowerCase().replace("_", "/")}`;
