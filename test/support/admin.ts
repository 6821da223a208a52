import {
  adminDataRequest,
  type AdminRequestInit,
} from "../../scripts/lib/admin-request";
import { testApp, type RunningApp } from "./app";

/** An admin page's data request to the test app, with a session token for `shop`. */
export function adminRequest(
  app: RunningApp,
  shop: string,
  route: { path: string; id: string },
  init: AdminRequestInit = {},
) {
  return adminDataRequest({ url: app.url, ...testApp }, shop, route, init);
}
