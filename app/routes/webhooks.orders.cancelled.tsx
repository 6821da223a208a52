import type { ActionFunctionArgs } from "@remix-run/node";
import { notYetHandled } from "~/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  notYetHandled(request);
