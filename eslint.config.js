import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "build/",
      "node_modules/",
      "app/types/",
      ".data/",
      "artifacts/",
      "extensions/*/dist/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-non-null-assertion": "error",
    },
  },
  {
    // The domain core stays pure: no framework, database, platform or Node imports.
    files: ["app/loyalty/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "@remix-run/*",
                "@shopify/*",
                "@prisma/*",
                "prisma",
                "node:*",
                "pg",
                "@electric-sql/*",
                "react",
                "~/db/*",
                "~/services/*",
                "~/shopify/*",
                "~/routes/*",
                "../*",
              ],
              message: "app/loyalty is the pure domain core.",
            },
          ],
        },
      ],
    },
  },
  {
    // Extensions run inside Shopify's sandbox and talk to the backend over HTTP only.
    files: ["extensions/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["~/*", "**/app/**"],
              message: "Extensions never import from app/.",
            },
          ],
        },
      ],
    },
  },
  {
    // What ships to the sandbox (a web worker) has no Node; tests and the build check may.
    files: ["extensions/**"],
    ignores: ["extensions/**/*.test.ts", "extensions/shared/testing/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["~/*", "**/app/**"],
              message: "Extensions never import from app/.",
            },
            {
              group: ["node:*"],
              message: "Extensions run in Shopify's sandbox, without Node.",
            },
          ],
        },
      ],
    },
  },
);
