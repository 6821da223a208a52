// A git revision's source, extracted and built in a temporary folder of its own, so bench:compare
// can serve it beside the working tree without touching the working tree's files or its build.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToEnd } from "./run-to-end";

export interface RevisionTree {
  commit: string;
  path: string;
  /** Removes the folder; the project's node_modules it links to stays. */
  remove(): void;
}

function commitOf(repoRoot: string, revision: string): string {
  try {
    return execFileSync(
      "git",
      ["rev-parse", "--verify", "--end-of-options", `${revision}^{commit}`],
      { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    ).trim();
  } catch {
    throw new Error(`${revision} names no commit in ${repoRoot}`);
  }
}

export function extractRevision(
  repoRoot: string,
  revision: string,
): RevisionTree {
  const commit = commitOf(repoRoot, revision);
  const path = mkdtempSync(join(tmpdir(), "loyalty-compare-"));
  const remove = () => rmSync(path, { recursive: true, force: true });
  try {
    const archive = join(path, ".revision.tar");
    execFileSync("git", ["archive", "--output", archive, commit], {
      cwd: repoRoot,
    });
    execFileSync("tar", ["-xf", archive, "-C", path]);
    rmSync(archive);
    // The revision is built and run with the project's installed packages and generated Prisma
    // client: installing its own would take minutes and the network. A revision whose
    // dependencies or Prisma schema differ is therefore run with the working tree's.
    symlinkSync(join(repoRoot, "node_modules"), join(path, "node_modules"));
    return { commit, path, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * Builds the app in `path` as `npm run build` would; resolves with the milliseconds it took.
 * Aborting `signal` stops the build, and the promise settles once it has stopped.
 */
export async function buildTree(
  path: string,
  signal: AbortSignal,
): Promise<number> {
  const started = performance.now();
  await runToEnd(
    `building ${path}`,
    "npx",
    ["remix", "vite:build", "--logLevel", "error"],
    { cwd: path, signal },
  );
  return performance.now() - started;
}
