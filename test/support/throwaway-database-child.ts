// A bench's throwaway database, held until the process is interrupted
// (scripts/bench/postgres.test.ts).
import { withThrowawayDatabase } from "../../scripts/bench/postgres";

const [adminUrl, prefix] = process.argv.slice(2);
if (!adminUrl || !prefix) throw new Error("usage: <admin url> <prefix>");
// The timer keeps the process alive while the work waits, as a running bench's sockets do.
await withThrowawayDatabase(
  adminUrl,
  prefix,
  () => new Promise(() => setInterval(() => {}, 60_000)),
);
