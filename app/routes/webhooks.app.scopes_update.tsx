import type { ActionFunctionArgs } from "@remix-run/node";
import { appScopesUpdate } from "~/services/app-lifecycle.server";
import { handleWebhook } from "~/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, appScopesUpdate);
