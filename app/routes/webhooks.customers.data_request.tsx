import type { ActionFunctionArgs } from "@remix-run/node";
import { customersDataRequest } from "~/services/compliance.server";
import { handleWebhook } from "~/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, customersDataRequest);
