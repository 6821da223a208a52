// The simulator's public API: what tests, the demo and the app's dev tooling import.
export {
  startShopifySimulator,
  type CallRecord,
  type Simulator,
  type SimulatorOptions,
} from "./server";
export {
  callAdminGraphql,
  type AdminGraphqlCall,
  type AdminGraphqlResponse,
} from "./client";
export {
  ADMIN_SCHEMA_URL,
  loadAdminSchema,
  THROTTLED_DOCUMENTATION,
  type CostExtension,
} from "./admin-graphql";
export {
  LeakyBucket,
  MAX_SINGLE_QUERY_COST,
  MUTATION_COST,
  requestedQueryCost,
  type ThrottleStatus,
} from "./cost";
export { FaultQueue, type Fault, type FaultOptions } from "./faults";
export {
  customerGid,
  SimulatorState,
  type CustomerInput,
  type CustomerRecord,
  type DiscountCodeRecord,
  type MetafieldRecord,
  type OrderPatch,
  type OrderRecord,
  type ShopRegistration,
  type ShopState,
} from "./state";
export {
  buildOrderModel,
  buildRefundModel,
  orderGid,
  type FinancialStatus,
  type OrderInput,
  type OrderLineInput,
  type OrderModel,
  type RefundInput,
  type RefundModel,
} from "./orders";
export {
  appUninstalledPayload,
  buildWebhookRequest,
  customerDeletePayload,
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  deliverWebhook,
  exampleWebhookPayload,
  orderPayload,
  refundPayload,
  shopRedactPayload,
  signWebhookBody,
  WEBHOOK_CONTRACT_VERSION,
  WEBHOOK_TOPICS,
  type CustomerPayloadInput,
  type JsonObject,
  type OrderPayloadInput,
  type RefundPayloadInput,
  type WebhookDelivery,
  type WebhookRequestOptions,
  type WebhookTopic,
} from "./webhooks";
export {
  validateWebhookPayload,
  webhookJsonSchema,
  type ContractResult,
} from "./webhook-contract";
export {
  customerSubject,
  mintAdminSessionToken,
  mintCheckoutSessionToken,
  mintCustomerAccountSessionToken,
  readSessionTokenClaims,
  signSessionToken,
  type AdminSessionTokenOptions,
  type ExtensionSessionTokenOptions,
  type SessionTokenFaults,
} from "./session-tokens";
