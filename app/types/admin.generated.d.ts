/* eslint-disable eslint-comments/disable-enable-pair */
/* eslint-disable eslint-comments/no-unlimited-disable */
/* eslint-disable */
import type * as AdminTypes from './admin.types.d.ts';

export type LoyaltyShopDetailsQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type LoyaltyShopDetailsQuery = { shop: Pick<AdminTypes.Shop, 'id' | 'name' | 'myshopifyDomain' | 'currencyCode' | 'ianaTimezone'> };

export type LoyaltyReconcileOrdersQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
  query?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
}>;


export type LoyaltyReconcileOrdersQuery = { orders: { pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'>, nodes: Array<(
      Pick<AdminTypes.Order, 'id' | 'legacyResourceId' | 'name' | 'createdAt' | 'processedAt' | 'updatedAt' | 'cancelledAt' | 'test' | 'currencyCode' | 'email' | 'displayFinancialStatus'>
      & { customer?: AdminTypes.Maybe<Pick<AdminTypes.Customer, 'id' | 'email' | 'firstName' | 'lastName'>>, lineItems: { pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'>, nodes: Array<(
          Pick<AdminTypes.LineItem, 'id' | 'quantity' | 'isGiftCard'>
          & { originalUnitPriceSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, discountAllocations: Array<{ allocatedAmountSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, discountApplication: Pick<AdminTypes.DiscountCodeApplication, 'code'> }> }
        )> }, shippingLines: { pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage'>, nodes: Array<{ discountedPriceSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> } }> }, totalTaxSet?: AdminTypes.Maybe<{ shopMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }>, refunds: Array<(
        Pick<AdminTypes.Refund, 'id' | 'legacyResourceId' | 'createdAt'>
        & { refundLineItems: { pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage'>, nodes: Array<(
            Pick<AdminTypes.RefundLineItem, 'quantity'>
            & { lineItem: Pick<AdminTypes.LineItem, 'id'> }
          )> }, transactions: { pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage'>, nodes: Array<(
            Pick<AdminTypes.OrderTransaction, 'kind' | 'status'>
            & { amountSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount'> } }
          )> } }
      )> }
    )> } };

export type LoyaltyReconcileOrderLineItemsQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
}>;


export type LoyaltyReconcileOrderLineItemsQuery = { order?: AdminTypes.Maybe<{ lineItems: { pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'>, nodes: Array<(
        Pick<AdminTypes.LineItem, 'id' | 'quantity' | 'isGiftCard'>
        & { originalUnitPriceSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, discountAllocations: Array<{ allocatedAmountSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, discountApplication: Pick<AdminTypes.DiscountCodeApplication, 'code'> }> }
      )> } }> };

export type LoyaltyCustomerTagsAddMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  tags: Array<AdminTypes.Scalars['String']['input']> | AdminTypes.Scalars['String']['input'];
}>;


export type LoyaltyCustomerTagsAddMutation = { tagsAdd?: AdminTypes.Maybe<{ userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type LoyaltyCustomerTagsRemoveMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  tags: Array<AdminTypes.Scalars['String']['input']> | AdminTypes.Scalars['String']['input'];
}>;


export type LoyaltyCustomerTagsRemoveMutation = { tagsRemove?: AdminTypes.Maybe<{ userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type LoyaltyCustomerTierTagsMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  add: Array<AdminTypes.Scalars['String']['input']> | AdminTypes.Scalars['String']['input'];
  remove: Array<AdminTypes.Scalars['String']['input']> | AdminTypes.Scalars['String']['input'];
}>;


export type LoyaltyCustomerTierTagsMutation = { tagsAdd?: AdminTypes.Maybe<{ userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }>, tagsRemove?: AdminTypes.Maybe<{ userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type LoyaltyMetafieldsSetMutationVariables = AdminTypes.Exact<{
  metafields: Array<AdminTypes.MetafieldsSetInput> | AdminTypes.MetafieldsSetInput;
}>;


export type LoyaltyMetafieldsSetMutation = { metafieldsSet?: AdminTypes.Maybe<{ metafields?: AdminTypes.Maybe<Array<Pick<AdminTypes.Metafield, 'key' | 'value'>>>, userErrors: Array<Pick<AdminTypes.MetafieldsSetUserError, 'field' | 'message' | 'code'>> }> };

export type LoyaltyMetafieldsDeleteMutationVariables = AdminTypes.Exact<{
  metafields: Array<AdminTypes.MetafieldIdentifierInput> | AdminTypes.MetafieldIdentifierInput;
}>;


export type LoyaltyMetafieldsDeleteMutation = { metafieldsDelete?: AdminTypes.Maybe<{ deletedMetafields?: AdminTypes.Maybe<Array<AdminTypes.Maybe<Pick<AdminTypes.MetafieldIdentifier, 'key'>>>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type LoyaltyMetafieldDefinitionCreateMutationVariables = AdminTypes.Exact<{
  namespace: AdminTypes.Scalars['String']['input'];
  key: AdminTypes.Scalars['String']['input'];
  type: AdminTypes.Scalars['String']['input'];
  name: AdminTypes.Scalars['String']['input'];
  description?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
}>;


export type LoyaltyMetafieldDefinitionCreateMutation = { metafieldDefinitionCreate?: AdminTypes.Maybe<{ createdDefinition?: AdminTypes.Maybe<Pick<AdminTypes.MetafieldDefinition, 'id' | 'namespace' | 'key'>>, userErrors: Array<Pick<AdminTypes.MetafieldDefinitionCreateUserError, 'field' | 'message' | 'code'>> }> };

export type LoyaltyTierSegmentCreateMutationVariables = AdminTypes.Exact<{
  name: AdminTypes.Scalars['String']['input'];
  query: AdminTypes.Scalars['String']['input'];
}>;


export type LoyaltyTierSegmentCreateMutation = { segmentCreate?: AdminTypes.Maybe<{ segment?: AdminTypes.Maybe<Pick<AdminTypes.Segment, 'id' | 'name'>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type LoyaltyRedemptionCodeBasicCreateMutationVariables = AdminTypes.Exact<{
  basicCodeDiscount: AdminTypes.DiscountCodeBasicInput;
}>;


export type LoyaltyRedemptionCodeBasicCreateMutation = { discountCodeBasicCreate?: AdminTypes.Maybe<{ codeDiscountNode?: AdminTypes.Maybe<Pick<AdminTypes.DiscountCodeNode, 'id'>>, userErrors: Array<Pick<AdminTypes.DiscountUserError, 'field' | 'message' | 'code'>> }> };

export type LoyaltyRedemptionCodeFreeShippingCreateMutationVariables = AdminTypes.Exact<{
  freeShippingCodeDiscount: AdminTypes.DiscountCodeFreeShippingInput;
}>;


export type LoyaltyRedemptionCodeFreeShippingCreateMutation = { discountCodeFreeShippingCreate?: AdminTypes.Maybe<{ codeDiscountNode?: AdminTypes.Maybe<Pick<AdminTypes.DiscountCodeNode, 'id'>>, userErrors: Array<Pick<AdminTypes.DiscountUserError, 'field' | 'message' | 'code'>> }> };

export type LoyaltyRedemptionCodeLookupQueryVariables = AdminTypes.Exact<{
  code: AdminTypes.Scalars['String']['input'];
}>;


export type LoyaltyRedemptionCodeLookupQuery = { codeDiscountNodeByCode?: AdminTypes.Maybe<(
    Pick<AdminTypes.DiscountCodeNode, 'id'>
    & { codeDiscount: Pick<AdminTypes.DiscountCodeBasic, 'asyncUsageCount'> | Pick<AdminTypes.DiscountCodeFreeShipping, 'asyncUsageCount'> }
  )> };

export type LoyaltyRedemptionCodeDeleteMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type LoyaltyRedemptionCodeDeleteMutation = { discountCodeDelete?: AdminTypes.Maybe<(
    Pick<AdminTypes.DiscountCodeDeletePayload, 'deletedCodeDiscountId'>
    & { userErrors: Array<Pick<AdminTypes.DiscountUserError, 'field' | 'message' | 'code'>> }
  )> };

export type LoyaltyCustomerByEmailQueryVariables = AdminTypes.Exact<{
  query: AdminTypes.Scalars['String']['input'];
}>;


export type LoyaltyCustomerByEmailQuery = { customers: { nodes: Array<Pick<AdminTypes.Customer, 'legacyResourceId' | 'email' | 'firstName' | 'lastName'>> } };

export type LoyaltyStoreCreditCreditMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  creditInput: AdminTypes.StoreCreditAccountCreditInput;
}>;


export type LoyaltyStoreCreditCreditMutation = { storeCreditAccountCredit?: AdminTypes.Maybe<{ storeCreditAccountTransaction?: AdminTypes.Maybe<(
      Pick<AdminTypes.StoreCreditAccountCreditTransaction, 'id'>
      & { amount: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'>, balanceAfterTransaction: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }
    )>, userErrors: Array<Pick<AdminTypes.StoreCreditAccountCreditUserError, 'field' | 'message' | 'code'>> }> };

export type LoyaltyFlowTriggerReceiveMutationVariables = AdminTypes.Exact<{
  handle: AdminTypes.Scalars['String']['input'];
  payload: AdminTypes.Scalars['JSON']['input'];
}>;


export type LoyaltyFlowTriggerReceiveMutation = { flowTriggerReceive?: AdminTypes.Maybe<{ userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

interface GeneratedQueryTypes {
  "#graphql\n  query LoyaltyShopDetails {\n    shop {\n      id\n      name\n      myshopifyDomain\n      currencyCode\n      ianaTimezone\n    }\n  }\n": {return: LoyaltyShopDetailsQuery, variables: LoyaltyShopDetailsQueryVariables},
  "#graphql\n  query LoyaltyReconcileOrders($first: Int!, $after: String, $query: String) {\n    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        legacyResourceId\n        name\n        createdAt\n        processedAt\n        updatedAt\n        cancelledAt\n        test\n        currencyCode\n        email\n        displayFinancialStatus\n        customer {\n          id\n          email\n          firstName\n          lastName\n        }\n        lineItems(first: 20) {\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n          nodes {\n            id\n            quantity\n            isGiftCard\n            originalUnitPriceSet {\n              shopMoney {\n                amount\n                currencyCode\n              }\n            }\n            discountAllocations {\n              allocatedAmountSet {\n                shopMoney {\n                  amount\n                  currencyCode\n                }\n              }\n              discountApplication {\n                ... on DiscountCodeApplication {\n                  code\n                }\n              }\n            }\n          }\n        }\n        shippingLines(first: 3) {\n          pageInfo {\n            hasNextPage\n          }\n          nodes {\n            discountedPriceSet {\n              shopMoney {\n                amount\n                currencyCode\n              }\n            }\n          }\n        }\n        totalTaxSet {\n          shopMoney {\n            amount\n            currencyCode\n          }\n        }\n        refunds {\n          id\n          legacyResourceId\n          createdAt\n          refundLineItems(first: 20) {\n            pageInfo {\n              hasNextPage\n            }\n            nodes {\n              lineItem {\n                id\n              }\n              quantity\n            }\n          }\n          transactions(first: 3) {\n            pageInfo {\n              hasNextPage\n            }\n            nodes {\n              kind\n              status\n              amountSet {\n                shopMoney {\n                  amount\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": {return: LoyaltyReconcileOrdersQuery, variables: LoyaltyReconcileOrdersQueryVariables},
  "#graphql\n  query LoyaltyReconcileOrderLineItems($id: ID!, $after: String) {\n    order(id: $id) {\n      lineItems(first: 100, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          id\n          quantity\n          isGiftCard\n          originalUnitPriceSet {\n            shopMoney {\n              amount\n              currencyCode\n            }\n          }\n          discountAllocations {\n            allocatedAmountSet {\n              shopMoney {\n                amount\n                currencyCode\n              }\n            }\n            discountApplication {\n              ... on DiscountCodeApplication {\n                code\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": {return: LoyaltyReconcileOrderLineItemsQuery, variables: LoyaltyReconcileOrderLineItemsQueryVariables},
  "#graphql\n  query LoyaltyRedemptionCodeLookup($code: String!) {\n    codeDiscountNodeByCode(code: $code) {\n      id\n      codeDiscount {\n        ... on DiscountCodeBasic {\n          asyncUsageCount\n        }\n        ... on DiscountCodeFreeShipping {\n          asyncUsageCount\n        }\n      }\n    }\n  }\n": {return: LoyaltyRedemptionCodeLookupQuery, variables: LoyaltyRedemptionCodeLookupQueryVariables},
  "#graphql\n  query LoyaltyCustomerByEmail($query: String!) {\n    customers(first: 1, query: $query) {\n      nodes {\n        legacyResourceId\n        email\n        firstName\n        lastName\n      }\n    }\n  }\n": {return: LoyaltyCustomerByEmailQuery, variables: LoyaltyCustomerByEmailQueryVariables},
}

interface GeneratedMutationTypes {
  "#graphql\n  mutation LoyaltyCustomerTagsAdd($id: ID!, $tags: [String!]!) {\n    tagsAdd(id: $id, tags: $tags) {\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: LoyaltyCustomerTagsAddMutation, variables: LoyaltyCustomerTagsAddMutationVariables},
  "#graphql\n  mutation LoyaltyCustomerTagsRemove($id: ID!, $tags: [String!]!) {\n    tagsRemove(id: $id, tags: $tags) {\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: LoyaltyCustomerTagsRemoveMutation, variables: LoyaltyCustomerTagsRemoveMutationVariables},
  "#graphql\n  mutation LoyaltyCustomerTierTags($id: ID!, $add: [String!]!, $remove: [String!]!) {\n    tagsAdd(id: $id, tags: $add) {\n      userErrors {\n        field\n        message\n      }\n    }\n    tagsRemove(id: $id, tags: $remove) {\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: LoyaltyCustomerTierTagsMutation, variables: LoyaltyCustomerTierTagsMutationVariables},
  "#graphql\n  mutation LoyaltyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {\n    metafieldsSet(metafields: $metafields) {\n      metafields {\n        key\n        value\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: LoyaltyMetafieldsSetMutation, variables: LoyaltyMetafieldsSetMutationVariables},
  "#graphql\n  mutation LoyaltyMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {\n    metafieldsDelete(metafields: $metafields) {\n      deletedMetafields {\n        key\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: LoyaltyMetafieldsDeleteMutation, variables: LoyaltyMetafieldsDeleteMutationVariables},
  "#graphql\n  mutation LoyaltyMetafieldDefinitionCreate(\n    $namespace: String!\n    $key: String!\n    $type: String!\n    $name: String!\n    $description: String\n  ) {\n    metafieldDefinitionCreate(\n      definition: {\n        ownerType: CUSTOMER\n        namespace: $namespace\n        key: $key\n        type: $type\n        name: $name\n        description: $description\n        access: {\n          admin: MERCHANT_READ\n          storefront: PUBLIC_READ\n          customerAccount: READ\n        }\n      }\n    ) {\n      createdDefinition {\n        id\n        namespace\n        key\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: LoyaltyMetafieldDefinitionCreateMutation, variables: LoyaltyMetafieldDefinitionCreateMutationVariables},
  "#graphql\n  mutation LoyaltyTierSegmentCreate($name: String!, $query: String!) {\n    segmentCreate(name: $name, query: $query) {\n      segment {\n        id\n        name\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: LoyaltyTierSegmentCreateMutation, variables: LoyaltyTierSegmentCreateMutationVariables},
  "#graphql\n  mutation LoyaltyRedemptionCodeBasicCreate(\n    $basicCodeDiscount: DiscountCodeBasicInput!\n  ) {\n    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {\n      codeDiscountNode {\n        id\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: LoyaltyRedemptionCodeBasicCreateMutation, variables: LoyaltyRedemptionCodeBasicCreateMutationVariables},
  "#graphql\n  mutation LoyaltyRedemptionCodeFreeShippingCreate(\n    $freeShippingCodeDiscount: DiscountCodeFreeShippingInput!\n  ) {\n    discountCodeFreeShippingCreate(\n      freeShippingCodeDiscount: $freeShippingCodeDiscount\n    ) {\n      codeDiscountNode {\n        id\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: LoyaltyRedemptionCodeFreeShippingCreateMutation, variables: LoyaltyRedemptionCodeFreeShippingCreateMutationVariables},
  "#graphql\n  mutation LoyaltyRedemptionCodeDelete($id: ID!) {\n    discountCodeDelete(id: $id) {\n      deletedCodeDiscountId\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: LoyaltyRedemptionCodeDeleteMutation, variables: LoyaltyRedemptionCodeDeleteMutationVariables},
  "#graphql\n  mutation LoyaltyStoreCreditCredit(\n    $id: ID!\n    $creditInput: StoreCreditAccountCreditInput!\n  ) {\n    storeCreditAccountCredit(id: $id, creditInput: $creditInput) {\n      storeCreditAccountTransaction {\n        id\n        amount {\n          amount\n          currencyCode\n        }\n        balanceAfterTransaction {\n          amount\n          currencyCode\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: LoyaltyStoreCreditCreditMutation, variables: LoyaltyStoreCreditCreditMutationVariables},
  "#graphql\n  mutation LoyaltyFlowTriggerReceive($handle: String!, $payload: JSON!) {\n    flowTriggerReceive(handle: $handle, payload: $payload) {\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: LoyaltyFlowTriggerReceiveMutation, variables: LoyaltyFlowTriggerReceiveMutationVariables},
}
declare module '@shopify/admin-api-client' {
  type InputMaybe<T> = AdminTypes.InputMaybe<T>;
  interface AdminQueries extends GeneratedQueryTypes {}
  interface AdminMutations extends GeneratedMutationTypes {}
}
