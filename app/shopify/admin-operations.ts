// Every Admin GraphQL operation the app sends. Each is named with the Loyalty prefix and tagged
// #graphql, so codegen types it (app/types/) and a test validates it against the vendored schema.

export const SHOP_DETAILS_QUERY = `#graphql
  query LoyaltyShopDetails {
    shop {
      id
      name
      myshopifyDomain
      currencyCode
      ianaTimezone
    }
  }
`;
