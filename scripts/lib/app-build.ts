import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    const mtime = entry.isDirectory()
      ? newestMtime(path)
      : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/**
 * Builds when the build is missing or older than app/: a stale build would measure or prove
 * yesterday's app. LOYALTY_SKIP_BUILD=1 skips it, as for the demo and the tests.
 */
export function ensureBuild(): void {
  if (process.env.LOYALTY_SKIP_BUILD === "1") return;
  const serverBuild = join(repoRoot, "build/server/index.js");
  const reason = !existsSync(serverBuild)
    ? "no build yet"
    : newestMtime(join(repoRoot, "app")) > statSync(serverBuild).mtimeMs
      ? "app/ changed since the last build"
      : undefined;
  if (!reason) return;
  console.log(`  building the app (${reason})`);
  execFileSync("npx", ["remix", "vite:build", "--logLevel", "error"], {
    cwd: repoRoot,
    stdio: "inherit",
  });
}
