import type { ActionFunctionArgs } from "@remix-run/node";
import { customersUpdate } from "~/services/customers.server";
import { handleWebhook } from "~/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, customersUpdate);
