import type { ActionFunctionArgs } from "@remix-run/node";
import { ordersPaid } from "~/services/order-topics.server";
import { handleWebhook } from "~/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, ordersPaid);
