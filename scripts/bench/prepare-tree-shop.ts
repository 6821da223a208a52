// Seeds the bench's shop into a database with the code of the tree it is run in, for bench:compare:
// a revision under comparison may have another schema or other program settings, and only its own
// code writes its shop the way its app expects. Run with the tree as the working directory, so tsx
// maps the tree's `~/` imports to that tree's app/ (it reads the working directory's tsconfig).
//   node --import tsx prepare-tree-shop.ts '<TreeShop as JSON>'
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as DatabaseClient from "../../app/db/client.server";
import type { ProgramConfig } from "../../app/loyalty/program";
import type * as ShopPreparation from "../lib/prepare-shop";

export interface TreeShop {
  databaseUrl: string;
  shop: string;
  accessToken: string;
  program: Partial<ProgramConfig>;
}

const request = JSON.parse(process.argv[2] ?? "{}") as Partial<TreeShop>;
// Without a URL openDatabase would seed the tree's embedded development database instead.
if (!request.databaseUrl || !request.shop || !request.accessToken)
  throw new Error("usage: prepare-tree-shop.ts '<TreeShop as JSON>'");
const { databaseUrl, shop, accessToken, program } = request;
const tree = process.cwd();
const fromTree = (path: string) => pathToFileURL(join(tree, path)).href;

const { openDatabase } = (await import(
  fromTree("app/db/client.server.ts")
)) as typeof DatabaseClient;
const { prepareShop } = (await import(
  fromTree("scripts/lib/prepare-shop.ts")
)) as typeof ShopPreparation;

const database = await openDatabase({ url: databaseUrl });
try {
  await prepareShop(database, {
    shop,
    accessToken,
    configure: (config) => ({ ...config, ...program }),
  });
} finally {
  await database.close();
}
