import { spawn } from "node:child_process";

/**
 * Runs a command with its output on this terminal, to its end: resolves when it exits with 0 and
 * rejects otherwise. Aborting `signal` stops it, and the promise still settles only once it has
 * exited, so a clean-up after the abort never removes a folder or drops a database the command is
 * still writing to.
 */
export function runToEnd(
  description: string,
  command: string,
  args: string[],
  options: { cwd: string; signal: AbortSignal },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      signal: options.signal,
      stdio: ["ignore", "inherit", "inherit"],
    });
    // An abort is reported as an error too, but the exit follows it; only a command that never
    // started has no exit to wait for.
    child.once("error", (error) => {
      if (child.pid === undefined) reject(error);
    });
    child.once("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${description} failed (${signal ?? `exit code ${code}`})`,
            ),
          ),
    );
  });
}
