// npm run shop:register -- --shop my-dev-store.myshopify.com [--token shpat_…] [--currency EUR]
// Stores an offline session for local use; with SHOPIFY_ADMIN_API_ORIGIN set, the simulator
// running there learns the shop and its token too.
import { parseArgs } from "node:util";
import { registerLocalShop } from "./lib/register-shop";

const { values } = parseArgs({
  options: {
    shop: { type: "string" },
    token: { type: "string" },
    currency: { type: "string" },
    timezone: { type: "string" },
  },
});
if (!values.shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(values.shop)) {
  console.error(
    "Usage: npm run shop:register -- --shop <name>.myshopify.com [--token <token>] [--currency USD]",
  );
  process.exit(1);
}
const shop = await registerLocalShop({
  shop: values.shop,
  accessToken: values.token,
  currencyCode: values.currency,
  ianaTimezone: values.timezone,
});
console.log(
  `Registered ${shop.shop} (${shop.currency}, ${shop.timezone}); program row ready.`,
);
process.exit(0);
