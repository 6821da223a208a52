// `npm start`: serves the built app (npm run build) on PORT.
import { fileURLToPath } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createAppServer } from "./app-server";

const buildUrl = new URL("../build/server/index.js", import.meta.url);
const build: ServerBuild = await import(buildUrl.href);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST_BIND ?? "0.0.0.0";

const server = createAppServer({
  build,
  assetsDir: fileURLToPath(new URL("../build/client", import.meta.url)),
});
server.listen(port, host, () =>
  console.log(
    `Loyalty app listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`,
  ),
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
