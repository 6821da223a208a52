// npm run db:migrate — applies the committed migrations to DATABASE_URL (or the embedded database).
import { migratePostgres, openDatabase } from "../../app/db/client.server";

const url = process.env.DATABASE_URL || undefined;
if (url) {
  const applied = await migratePostgres(url);
  console.log(
    applied.length
      ? `Applied ${applied.join(", ")}`
      : "PostgreSQL is up to date.",
  );
} else {
  const database = await openDatabase({ dataDir: process.env.PGLITE_DATA_DIR });
  console.log(`${database.description} is up to date.`);
  await database.close();
}
