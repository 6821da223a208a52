type Level = "info" | "warn" | "error";

const rank: Record<Level | "silent", number> = {
  info: 0,
  warn: 1,
  error: 2,
  silent: 3,
};

function threshold(): number {
  const configured = process.env.LOYALTY_LOG;
  return configured && configured in rank
    ? rank[configured as keyof typeof rank]
    : rank.info;
}

/**
 * One JSON object per line, so a log pipeline can filter by shop, topic or outcome.
 * LOYALTY_LOG=warn|error|silent raises the threshold (default info).
 */
export function log(
  level: Level,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (rank[level] < threshold()) return;
  const line = JSON.stringify({
    level,
    message,
    time: new Date().toISOString(),
    ...fields,
  });
  if (level === "error") console.error(line);
  else console.log(line);
}
