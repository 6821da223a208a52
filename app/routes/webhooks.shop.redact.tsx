import type { ActionFunctionArgs } from "@remix-run/node";
import { shopRedact } from "~/services/compliance.server";
import { handleWebhook } from "~/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, shopRedact);
