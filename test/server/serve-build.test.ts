import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type RunningApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { sendWebhook } from "../support/webhooks";

let db: TestDatabase;
let app: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp({ database: db });
});

afterAll(async () => {
  await app.close();
  await db.destroy();
});

it("stops once however many times it is asked to, as a Ctrl-C passed on by npm and tsx asks", async () => {
  // A checked delivery, so that the webhook check's thread runs and has to be stopped too.
  const forged = await sendWebhook(
    app,
    "serve-build.myshopify.com",
    "customers/create",
    { id: 1 },
    { secret: "not-the-app-secret" },
  );
  expect(forged.status).toBe(401);

  await expect(
    Promise.all([app.close(), app.close(), app.close()]),
  ).resolves.toHaveLength(3);
  await expect(fetch(`${app.url}/`)).rejects.toThrow();
});
