import type { ActionFunctionArgs } from "@remix-run/node";
import { customersRedact } from "~/services/compliance.server";
import { handleWebhook } from "~/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, customersRedact);
