import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: [
      "app/**/*.test.ts",
      "simulator/**/*.test.ts",
      "test/**/*.test.ts",
      "scripts/**/*.test.ts",
      "extensions/**/*.test.ts",
    ],
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
