// npm run webhooks:replay [-- --shop x.myshopify.com] [-- --id 42]
// Replays deliveries Shopify signed but the app could not read, once the app has been fixed.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { shop: { type: "string" }, id: { type: "string" } },
});
const { database } = await import("../app/db.server");
const { replayDeadLetters } =
  await import("../app/services/dead-letters.server");
const report = await replayDeadLetters(await database(), {
  shop: values.shop,
  id: values.id ? BigInt(values.id) : undefined,
});
console.log(
  `Replayed ${report.replayed}; still failing ${report.stillFailing}.`,
);
process.exit(report.stillFailing > 0 ? 1 : 0);
