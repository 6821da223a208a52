import { ApiType, pluckConfig, preset } from "@shopify/api-codegen-preset";

// Types for every #graphql document in app/, generated offline from the vendored Admin schema
// (the preset would otherwise download the schema of the pinned version; see
// docs/decisions/005-api-version.md for how the two versions relate). Run `npm run graphql-codegen`.
// Left unannotated: the preset is built against its own copy of codegen's plugin types.
const config = {
  overwrite: true,
  schema: "shopify-schema/admin-2025-04.schema.graphql",
  documents: ["app/**/*.{ts,tsx}", "!app/types/**"],
  pluckConfig,
  generates: {
    "app/types/admin.types.d.ts": { plugins: ["typescript"] },
    "app/types/admin.generated.d.ts": {
      preset,
      presetConfig: { apiType: ApiType.Admin },
    },
  },
};

export default config;
