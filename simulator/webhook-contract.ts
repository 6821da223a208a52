// The webhook payload contract: the vendored JSON Schemas (inferred by the schema vendor from
// Shopify's documented examples), corrected where one example could not show what Shopify really
// sends, and an ajv validator over them.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { WEBHOOK_CONTRACT_VERSION, type WebhookTopic } from "./webhooks";

type SchemaNode = Record<string, unknown>;

function isRecord(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function child(node: SchemaNode, ...path: string[]): SchemaNode {
  let current: SchemaNode = node;
  for (const key of path) {
    const properties = current.properties;
    const next = isRecord(properties) ? properties[key] : undefined;
    if (!isRecord(next))
      throw new Error(`Schema has no property ${path.join(".")}`);
    current = next;
  }
  return current;
}

function allowNull(property: SchemaNode): void {
  const type = property.type;
  if (typeof type === "string") property.type = [type, "null"];
  else if (Array.isArray(type) && !type.includes("null"))
    property.type = [...type, "null"];
}

function makeOptional(node: SchemaNode, key: string): void {
  if (Array.isArray(node.required))
    node.required = node.required.filter((name) => name !== key);
}

// Each correction says why the inferred schema is wrong; everything else is enforced as inferred.
const CORRECTIONS: Partial<Record<WebhookTopic, (schema: SchemaNode) => void>> =
  {};

function correctOrder(schema: SchemaNode): void {
  // Guest checkouts have no customer: Shopify leaves the key out or sends null ("apps should not
  // depend on the existence of a customer object"); the example always had one.
  makeOptional(schema, "customer");
  allowNull(child(schema, "customer"));
  // Orders without an email (POS, some draft orders) send "" and a null contact_email.
  const properties = schema.properties;
  if (isRecord(properties)) {
    properties.email = {
      anyOf: [{ type: "string", format: "email" }, { const: "" }],
    };
  }
  allowNull(child(schema, "contact_email"));
}

for (const topic of [
  "orders/create",
  "orders/paid",
  "orders/updated",
  "orders/cancelled",
  "orders/fulfilled",
] as const) {
  CORRECTIONS[topic] = correctOrder;
}

function correctCustomer(schema: SchemaNode): void {
  // A customer without a note has `note: null`; the example happened to have one.
  allowNull(child(schema, "note"));
}
CORRECTIONS["customers/create"] = correctCustomer;
CORRECTIONS["customers/update"] = correctCustomer;

function correctComplianceCustomer(schema: SchemaNode): void {
  // Compliance requests for customers with no phone on file carry `phone: null`.
  allowNull(child(schema, "customer", "phone"));
}
CORRECTIONS["customers/redact"] = correctComplianceCustomer;
CORRECTIONS["customers/data_request"] = correctComplianceCustomer;

/** The JSON Schema for `topic`, with the corrections above applied. */
export function webhookJsonSchema(topic: WebhookTopic): SchemaNode {
  const url = new URL(
    `../shopify-schema/webhooks/${WEBHOOK_CONTRACT_VERSION}/schema/${topic}.json`,
    import.meta.url,
  );
  const schema: unknown = JSON.parse(readFileSync(url, "utf8"));
  if (!isRecord(schema)) throw new Error(`Not a JSON Schema: ${url.pathname}`);
  CORRECTIONS[topic]?.(schema);
  return schema;
}

let ajv: Ajv2020 | undefined;
const validators = new Map<WebhookTopic, ValidateFunction>();

export interface ContractResult {
  valid: boolean;
  /** `instancePath message` lines, empty when valid. */
  errors: string[];
}

/** Checks a payload against the topic's (corrected) schema. */
export function validateWebhookPayload(
  topic: WebhookTopic,
  payload: unknown,
): ContractResult {
  ajv ??= addFormats(new Ajv2020({ allErrors: true, strict: true }));
  let validator = validators.get(topic);
  if (!validator) {
    validator = ajv.compile(webhookJsonSchema(topic));
    validators.set(topic, validator);
  }
  const valid = validator(payload);
  return {
    valid,
    errors: valid
      ? []
      : (validator.errors ?? []).map(
          (error) => `${error.instancePath || "/"} ${error.message ?? ""}`,
        ),
  };
}
