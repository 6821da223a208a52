// The Admin GraphQL endpoint: every document is validated against Shopify's own schema (vendored
// SDL), costed, throttled per shop like Shopify, then executed by graphql-js with the simulator's
// resolvers. Answers keep Shopify's shapes: HTTP 200 with `errors` for invalid documents and for
// THROTTLED, and `extensions.cost` on every GraphQL answer.
import { readFileSync } from "node:fs";
import {
  buildSchema,
  execute,
  FieldsOnCorrectTypeRule,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isListType,
  isNonNullType,
  KnownArgumentNamesRule,
  KnownFragmentNamesRule,
  KnownTypeNamesRule,
  Kind,
  NoUndefinedVariablesRule,
  NoUnusedFragmentsRule,
  NoUnusedVariablesRule,
  parse,
  ProvidedRequiredArgumentsRule,
  ScalarLeafsRule,
  UniqueOperationNamesRule,
  validate,
  ValuesOfCorrectTypeRule,
  VariablesInAllowedPositionRule,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type ValidationRule,
} from "graphql";
import {
  actualCostOf,
  isConnectionType,
  LeakyBucket,
  MAX_SINGLE_QUERY_COST,
  requestedQueryCost,
  type ThrottleStatus,
} from "./cost";
import {
  emptyConnection,
  mutationRoot,
  queryRoot,
  type ResolveContext,
  type SearchWarning,
} from "./admin-resolvers";
import type { ShopState, SimulatorState } from "./state";

export const ADMIN_SCHEMA_URL = new URL(
  "../shopify-schema/admin-2025-04.schema.graphql",
  import.meta.url,
);

let cachedSchema: GraphQLSchema | undefined;

/** Shopify's Admin schema, built once per process (the SDL is ~3 MB). */
export function loadAdminSchema(): GraphQLSchema {
  cachedSchema ??= buildSchema(readFileSync(ADMIN_SCHEMA_URL, "utf8"));
  return cachedSchema;
}

export const THROTTLED_DOCUMENTATION =
  "https://shopify.dev/api/usage/rate-limits";

export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface GraphqlAnswer {
  status: number;
  body: unknown;
  operationName: string | null;
  query: string | null;
  variables: Record<string, unknown>;
}

export interface AdminGraphqlOptions {
  state: SimulatorState;
  now: () => number;
  bucketSize: number;
  restoreRate: number;
  maxQueryCost?: number;
  /** Stands in for the app's API client id in the `$app` metafield namespace. */
  appId?: string;
}

// graphql-ruby's error codes, which Shopify returns for invalid documents, for the rules that
// catch the usual mistakes. Anything else is reported as "validationFailed".
const RULE_CODES: ReadonlyArray<[ValidationRule, string]> = [
  [FieldsOnCorrectTypeRule, "undefinedField"],
  [KnownArgumentNamesRule, "argumentNotAccepted"],
  [ProvidedRequiredArgumentsRule, "missingRequiredArguments"],
  [KnownTypeNamesRule, "undefinedType"],
  [KnownFragmentNamesRule, "undefinedFragment"],
  [NoUnusedFragmentsRule, "useAndDefineFragment"],
  [NoUndefinedVariablesRule, "variableNotDefined"],
  [NoUnusedVariablesRule, "variableNotUsed"],
  [ValuesOfCorrectTypeRule, "argumentLiteralsIncompatible"],
  [VariablesInAllowedPositionRule, "variableMismatch"],
  [ScalarLeafsRule, "selectionMismatch"],
  [UniqueOperationNamesRule, "operationNotUnique"],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function locationsOf(
  error: GraphQLError,
): Array<{ line: number; column: number }> | undefined {
  return error.locations?.map(({ line, column }) => ({ line, column }));
}

function classifyValidationErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  errors: readonly GraphQLError[],
): GraphQLFormattedError[] {
  const codes = new Map<string, string>();
  for (const [rule, code] of RULE_CODES) {
    for (const error of validate(schema, document, [rule]))
      codes.set(error.message, code);
  }
  return errors.map((error) => {
    const code = codes.get(error.message) ?? "validationFailed";
    const undefinedField =
      /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(error.message);
    if (code === "undefinedField" && undefinedField) {
      const [, fieldName, typeName] = undefinedField;
      return {
        message: `Field '${fieldName}' doesn't exist on type '${typeName}'`,
        locations: locationsOf(error),
        extensions: { code, typeName, fieldName },
      };
    }
    return {
      message: error.message,
      locations: locationsOf(error),
      extensions: { code },
    };
  });
}

function placeholder(
  type: GraphQLOutputType,
  parentType: string,
  fieldName: string,
): unknown {
  if (!isNonNullType(type)) return null;
  if (isListType(type.ofType)) return [];
  if (isConnectionType(getNamedType(type))) return emptyConnection();
  throw new GraphQLError(
    `${parentType}.${fieldName} is not implemented by the Shopify simulator.`,
    {
      extensions: { code: "NOT_IMPLEMENTED_IN_SIMULATOR" },
    },
  );
}

const fieldResolver: GraphQLFieldResolver<unknown, ResolveContext> = (
  source,
  args,
  context,
  info,
) => {
  let value: unknown;
  if (isRecord(source) && Object.hasOwn(source, info.fieldName)) {
    const raw = source[info.fieldName];
    value = typeof raw === "function" ? raw(args, context, info) : raw;
  } else {
    value = placeholder(info.returnType, info.parentType.name, info.fieldName);
  }
  context.actualCost += actualCostOf(info.returnType, value);
  return value;
};

const typeResolver: GraphQLTypeResolver<unknown, ResolveContext> = (value) =>
  isRecord(value) && typeof value.__typename === "string"
    ? value.__typename
    : undefined;

export class AdminGraphqlEndpoint {
  private readonly buckets = new Map<string, LeakyBucket>();
  private readonly schema = loadAdminSchema();
  private readonly maxQueryCost: number;
  private readonly appNamespace: string;

  constructor(private readonly options: AdminGraphqlOptions) {
    this.maxQueryCost = options.maxQueryCost ?? MAX_SINGLE_QUERY_COST;
    this.appNamespace = `app--${options.appId ?? "1"}`;
  }

  bucketFor(shop: string): LeakyBucket {
    let bucket = this.buckets.get(shop);
    if (!bucket) {
      bucket = new LeakyBucket(
        this.options.bucketSize,
        this.options.restoreRate,
        this.options.now,
      );
      this.buckets.set(shop, bucket);
    }
    return bucket;
  }

  resetBuckets(): void {
    this.buckets.clear();
  }

  private cost(
    shop: string,
    requested: number,
    actual: number | null,
  ): { cost: CostExtension } {
    return {
      cost: {
        requestedQueryCost: requested,
        actualQueryCost: actual,
        throttleStatus: this.bucketFor(shop).status(),
      },
    };
  }

  /** Shopify's THROTTLED answer, for a bucket that is short or a fault a test scheduled. */
  throttled(shop: string, requested: number): Record<string, unknown> {
    return {
      errors: [
        {
          message: "Throttled",
          extensions: {
            code: "THROTTLED",
            documentation: THROTTLED_DOCUMENTATION,
          },
        },
      ],
      extensions: this.cost(shop, requested, null),
    };
  }

  handle(shop: ShopState, rawBody: unknown): GraphqlAnswer {
    const body = isRecord(rawBody) ? rawBody : {};
    const query = typeof body.query === "string" ? body.query : null;
    const operationName =
      typeof body.operationName === "string" && body.operationName
        ? body.operationName
        : null;
    const variables = isRecord(body.variables) ? body.variables : {};
    const answer = (
      status: number,
      payload: unknown,
      name: string | null = operationName,
    ): GraphqlAnswer => ({
      status,
      body: payload,
      operationName: name,
      query,
      variables,
    });
    if (!query || query.trim() === "") {
      return answer(400, {
        errors: { query: "Required parameter missing or invalid" },
      });
    }
    const failed = (
      errors: GraphQLFormattedError[],
      name: string | null = operationName,
      requested = 0,
    ) =>
      answer(
        200,
        { errors, extensions: this.cost(shop.shop, requested, 0) },
        name,
      );

    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      const parseError =
        error instanceof GraphQLError ? error : new GraphQLError(String(error));
      return failed([
        {
          message: parseError.message,
          locations: locationsOf(parseError),
          extensions: { code: "PARSE_ERROR" },
        },
      ]);
    }

    const operations = document.definitions.filter(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION,
    );
    const anonymous = operations
      .filter((operation) => !operation.name)
      .map((operation): GraphQLFormattedError => ({
        message:
          "Anonymous operations are refused: name every operation (e.g. `query LoyaltyShop { ... }`). " +
          "This is the project's rule, enforced by the simulator; Shopify itself accepts unnamed operations.",
        locations: operation.loc
          ? [
              {
                line: operation.loc.startToken.line,
                column: operation.loc.startToken.column,
              },
            ]
          : undefined,
        extensions: { code: "ANONYMOUS_OPERATION" },
      }));
    const validationErrors = validate(this.schema, document);
    if (validationErrors.length > 0 || anonymous.length > 0) {
      return failed([
        ...anonymous,
        ...classifyValidationErrors(this.schema, document, validationErrors),
      ]);
    }

    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const message = operationName
        ? `No operation named "${operationName}"`
        : "An operation name is required when the document holds several operations";
      return failed([{ message, extensions: { code: "OPERATION_NOT_FOUND" } }]);
    }
    const name = operation.name?.value ?? null;
    if (operation.operation === "subscription") {
      return failed(
        [
          {
            message: "Subscriptions are not supported",
            extensions: { code: "OPERATION_NOT_SUPPORTED" },
          },
        ],
        name,
      );
    }

    const coerced = getVariableValues(
      this.schema,
      operation.variableDefinitions ?? [],
      variables,
    );
    if (coerced.errors) {
      return failed(
        coerced.errors.map((error) => ({
          message: error.message,
          locations: locationsOf(error),
          extensions: { code: "INVALID_VARIABLE" },
        })),
        name,
      );
    }

    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        fragments[definition.name.value] = definition;
    }
    const requested = requestedQueryCost(
      this.schema,
      operation,
      fragments,
      coerced.coerced,
    );
    if (requested > this.maxQueryCost) {
      return failed(
        [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${this.maxQueryCost}).`,
            extensions: {
              code: "MAX_COST_EXCEEDED",
              cost: requested,
              maxCost: this.maxQueryCost,
              documentation: THROTTLED_DOCUMENTATION,
            },
          },
        ],
        name,
        requested,
      );
    }

    const bucket = this.bucketFor(shop.shop);
    if (!bucket.tryTake(requested))
      return answer(200, this.throttled(shop.shop, requested), name);

    const context: ResolveContext = {
      state: this.options.state,
      shop,
      now: this.options.now,
      actualCost: 0,
      appNamespace: this.appNamespace,
      searchWarnings: [],
    };
    const result = execute({
      schema: this.schema,
      document,
      operationName: name ?? undefined,
      variableValues: variables,
      rootValue: operation.operation === "mutation" ? mutationRoot : queryRoot,
      contextValue: context,
      fieldResolver,
      typeResolver,
    });
    if (result instanceof Promise) {
      // Every resolver here is synchronous; a promise would mean a resolver was written wrongly.
      throw new Error("Simulator resolvers must be synchronous");
    }
    const actual =
      operation.operation === "mutation"
        ? requested
        : Math.min(requested, context.actualCost);
    bucket.give(requested - actual);
    const extensions: Record<string, unknown> = this.cost(
      shop.shop,
      requested,
      actual,
    );
    if (context.searchWarnings.length > 0)
      extensions.search = context.searchWarnings.map(formatSearchWarning);
    const payload: Record<string, unknown> = {};
    if (result.errors)
      payload.errors = result.errors.map((error) => error.toJSON());
    payload.data = result.data ?? null;
    payload.extensions = extensions;
    return answer(200, payload, name);
  }
}

function formatSearchWarning(warning: SearchWarning): Record<string, unknown> {
  return {
    path: warning.path,
    query: warning.query,
    warnings: warning.warnings,
  };
}
