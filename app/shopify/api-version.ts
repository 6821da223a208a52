import { ApiVersion } from "@shopify/shopify-api";

// The one place the Admin API version is chosen; shopify.app.toml and the codegen config must say
// the same (a test checks). Why this version, and which vendored schema validates our documents:
// docs/decisions/005-api-version.md.
export const ADMIN_API_VERSION = ApiVersion.October26;
