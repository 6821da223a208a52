type Level = "info" | "warn" | "error";

/** One JSON object per line, so a log pipeline can filter by shop, topic or outcome. */
export function log(
  level: Level,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (process.env.LOYALTY_LOG === "silent") return;
  const line = JSON.stringify({
    level,
    message,
    time: new Date().toISOString(),
    ...fields,
  });
  if (level === "error") console.error(line);
  else console.log(line);
}
