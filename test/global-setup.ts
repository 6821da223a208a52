import { execFileSync } from "node:child_process";

// The HTTP tests serve the production build, so it is built once before any test file runs.
export default function buildApp() {
  if (process.env.LOYALTY_SKIP_BUILD === "1") return;
  execFileSync("npx", ["remix", "vite:build", "--logLevel", "error"], {
    stdio: "inherit",
  });
}
