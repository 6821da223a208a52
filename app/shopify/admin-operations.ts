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

// Reconciliation reads the shop's orders back to heal missed webhooks. Shopify prices a nested
// connection at its page size times one item (https://shopify.dev/docs/api/usage/rate-limits), so
// the nested pages are small enough for a few orders per query under the 1,000-point limit; each
// carries `pageInfo`, so an order longer than its page is completed or reported, never earned on
// in part. LineItem has no `legacyResourceId` in 2025-04: the REST id is the tail of its gid.
export const RECONCILE_ORDERS_QUERY = `#graphql
  query LoyaltyReconcileOrders($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        legacyResourceId
        name
        createdAt
        processedAt
        updatedAt
        cancelledAt
        test
        currencyCode
        email
        displayFinancialStatus
        customer {
          id
          email
          firstName
          lastName
        }
        lineItems(first: 20) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            id
            quantity
            isGiftCard
            originalUnitPriceSet {
              shopMoney {
                amount
                currencyCode
              }
            }
            discountAllocations {
              allocatedAmountSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
              discountApplication {
                ... on DiscountCodeApplication {
                  code
                }
              }
            }
          }
        }
        shippingLines(first: 3) {
          pageInfo {
            hasNextPage
          }
          nodes {
            discountedPriceSet {
              shopMoney {
                amount
                currencyCode
              }
            }
          }
        }
        totalTaxSet {
          shopMoney {
            amount
            currencyCode
          }
        }
        refunds {
          id
          legacyResourceId
          createdAt
          refundLineItems(first: 20) {
            pageInfo {
              hasNextPage
            }
            nodes {
              lineItem {
                id
              }
              quantity
            }
          }
          transactions(first: 3) {
            pageInfo {
              hasNextPage
            }
            nodes {
              kind
              status
              amountSet {
                shopMoney {
                  amount
                }
              }
            }
          }
        }
      }
    }
  }
`;

// The rest of an order's line items when it has more than one page of RECONCILE_ORDERS_QUERY.
export const RECONCILE_ORDER_LINE_ITEMS_QUERY = `#graphql
  query LoyaltyReconcileOrderLineItems($id: ID!, $after: String) {
    order(id: $id) {
      lineItems(first: 100, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          quantity
          isGiftCard
          originalUnitPriceSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          discountAllocations {
            allocatedAmountSet {
              shopMoney {
                amount
                currencyCode
              }
            }
            discountApplication {
              ... on DiscountCodeApplication {
                code
              }
            }
          }
        }
      }
    }
  }
`;

// The outbox's CUSTOMER_TAGS job: Shopify keeps tags as a set, so sending the same add or remove
// twice (a retried job) leaves the same tags. Only the tags named are touched, never the others.
export const CUSTOMER_TAGS_ADD_MUTATION = `#graphql
  mutation LoyaltyCustomerTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

export const CUSTOMER_TAGS_REMOVE_MUTATION = `#graphql
  mutation LoyaltyCustomerTagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

// A tier change in one request: both fields run in order, as two requests would, and each
// answers with its own userErrors.
export const CUSTOMER_TIER_TAGS_MUTATION = `#graphql
  mutation LoyaltyCustomerTierTags($id: ID!, $add: [String!]!, $remove: [String!]!) {
    tagsAdd(id: $id, tags: $add) {
      userErrors {
        field
        message
      }
    }
    tagsRemove(id: $id, tags: $remove) {
      userErrors {
        field
        message
      }
    }
  }
`;

// The outbox's MEMBER_METAFIELDS job: the member's tier and points as app-owned customer
// metafields, so the checkout and customer account extensions read them without calling the app.
// metafieldsSet is all or nothing and writes whole values, so a retried job leaves the same state.
export const METAFIELDS_SET_MUTATION = `#graphql
  mutation LoyaltyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        key
        value
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// A member metafield with nothing to show (no next tier) is removed rather than left stale;
// deleting one that does not exist is not an error, so a retry is harmless.
export const METAFIELDS_DELETE_MUTATION = `#graphql
  mutation LoyaltyMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        key
      }
      userErrors {
        field
        message
      }
    }
  }
`;

// Declares one member metafield at install on customers, with the access the extensions need:
// checkout reads customer data through the Storefront API and customer account extensions through
// the Customer Account API, so each gets read access and no more (the app is the only writer);
// the merchant sees the values in the admin but does not edit them, as the app would overwrite
// them. A definition that exists already answers a TAKEN userError, which the caller accepts.
export const METAFIELD_DEFINITION_CREATE_MUTATION = `#graphql
  mutation LoyaltyMetafieldDefinitionCreate(
    $namespace: String!
    $key: String!
    $type: String!
    $name: String!
    $description: String
  ) {
    metafieldDefinitionCreate(
      definition: {
        ownerType: CUSTOMER
        namespace: $namespace
        key: $key
        type: $type
        name: $name
        description: $description
        access: {
          admin: MERCHANT_READ
          storefront: PUBLIC_READ
          customerAccount: READ
        }
      }
    ) {
      createdDefinition {
        id
        namespace
        key
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const TIER_SEGMENT_CREATE_MUTATION = `#graphql
  mutation LoyaltyTierSegmentCreate($name: String!, $query: String!) {
    segmentCreate(name: $name, query: $query) {
      segment {
        id
        name
      }
      userErrors {
        field
        message
      }
    }
  }
`;

// Redemption codes: single use, bound to the shopper, ending when the hold is due to be released.
// A retry after a lost answer gets TAKEN for the same code, and the app then looks the code up.
export const REDEMPTION_CODE_BASIC_CREATE_MUTATION = `#graphql
  mutation LoyaltyRedemptionCodeBasicCreate(
    $basicCodeDiscount: DiscountCodeBasicInput!
  ) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const REDEMPTION_CODE_FREE_SHIPPING_CREATE_MUTATION = `#graphql
  mutation LoyaltyRedemptionCodeFreeShippingCreate(
    $freeShippingCodeDiscount: DiscountCodeFreeShippingInput!
  ) {
    discountCodeFreeShippingCreate(
      freeShippingCodeDiscount: $freeShippingCodeDiscount
    ) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// Before an expired hold is released: a code used by an order (paid later, or never) keeps its
// points held until that order is paid or cancelled.
export const REDEMPTION_CODE_LOOKUP_QUERY = `#graphql
  query LoyaltyRedemptionCodeLookup($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        ... on DiscountCodeBasic {
          asyncUsageCount
        }
        ... on DiscountCodeFreeShipping {
          asyncUsageCount
        }
      }
    }
  }
`;

export const REDEMPTION_CODE_DELETE_MUTATION = `#graphql
  mutation LoyaltyRedemptionCodeDelete($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// The balance import finds the Shopify customer behind an e-mail the app has no member for yet.
// Search results can be looser than the term (https://shopify.dev/docs/api/usage/search-syntax), so
// the caller keeps the answer only when its e-mail is the one asked for.
export const CUSTOMER_BY_EMAIL_QUERY = `#graphql
  query LoyaltyCustomerByEmail($query: String!) {
    customers(first: 1, query: $query) {
      nodes {
        legacyResourceId
        email
        firstName
        lastName
      }
    }
  }
`;

// Cashback: points turned into store credit on the customer's account (created by Shopify on the
// first credit). Shopify takes no idempotency key here; the app sends it once per redemption.
export const STORE_CREDIT_CREDIT_MUTATION = `#graphql
  mutation LoyaltyStoreCreditCredit(
    $id: ID!
    $creditInput: StoreCreditAccountCreditInput!
  ) {
    storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
      storeCreditAccountTransaction {
        id
        amount {
          amount
          currencyCode
        }
        balanceAfterTransaction {
          amount
          currencyCode
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// The outbox's FLOW_TRIGGER job: starts the merchant's workflows that begin with one of the
// app's Flow triggers (extensions/flow-*). Shopify does not deduplicate trigger calls, so each
// job is one event and is never coalesced.
export const FLOW_TRIGGER_RECEIVE_MUTATION = `#graphql
  mutation LoyaltyFlowTriggerReceive($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;
