import { afterAll, beforeAll } from "vitest";
import { startShopifySimulator, type Simulator } from "../../simulator/server";
import { startTestApp, type RunningApp } from "./app";
import { createTestDatabase, type TestDatabase } from "./database";

export interface TestStack {
  db: TestDatabase;
  simulator: Simulator;
  app: RunningApp;
}

/**
 * For a test file that needs the whole picture: a fresh database, the Shopify simulator, and the
 * built app serving on both, started before the file's tests and stopped after them. The returned
 * object is filled in by `beforeAll`, so read its fields inside tests and hooks.
 */
export function useTestStack(): TestStack {
  const stack = {} as TestStack;
  beforeAll(async () => {
    stack.db = await createTestDatabase();
    stack.simulator = await startShopifySimulator();
    stack.app = await startTestApp({
      database: stack.db,
      adminApiOrigin: stack.simulator.origin,
    });
  });
  afterAll(async () => {
    await stack.app?.close();
    await stack.simulator?.close();
    await stack.db?.destroy();
  });
  return stack;
}
