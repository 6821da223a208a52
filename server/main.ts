// `npm start`: serves the built app (npm run build) on PORT.
import { serveBuild } from "./serve-build";

const served = await serveBuild({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST_BIND ?? "0.0.0.0",
  mode: "production",
  // Several instances may all run them (each job is idempotent); LOYALTY_JOBS=off leaves them to
  // a separate `npm run jobs` process.
  backgroundJobs: process.env.LOYALTY_JOBS !== "off",
  configure: () => {},
});
console.log(`Loyalty app listening on port ${served.port}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void served.close().then(() => process.exit(0)));
}
