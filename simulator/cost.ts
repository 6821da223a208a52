// Query cost and the per-shop leaky bucket, after https://shopify.dev/docs/api/usage/rate-limits.
//
// The cost model is a documented approximation of Shopify's, close enough that an app which stays
// inside the simulator's budget stays inside Shopify's:
// - scalar and enum fields cost 0; every object, interface or union field costs 1 plus its
//   selection;
// - a connection (a type with `pageInfo` and `edges` / `nodes`) or a list field taking `first` /
//   `last` costs 2 plus its page size times the cost of one item's selection;
// - every mutation field costs 10, whatever it selects;
// - fragments on different types of an abstract field are all counted (an over-estimate).
// The actual cost counts the objects that came back instead of the page size, so a short page
// refunds the difference, as Shopify does.
import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export const MUTATION_COST = 10;
export const MAX_SINGLE_QUERY_COST = 1000;

export function isConnectionType(type: GraphQLNamedType): boolean {
  if (!isObjectType(type)) return false;
  const fields = type.getFields();
  return "pageInfo" in fields && ("edges" in fields || "nodes" in fields);
}

function isListOutput(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function pageSize(
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
): number | null {
  const hasPaging = field.args.some(
    (arg) => arg.name === "first" || arg.name === "last",
  );
  if (!hasPaging) return null;
  const size =
    typeof args.first === "number"
      ? args.first
      : typeof args.last === "number"
        ? args.last
        : 1;
  return Math.max(0, size);
}

export function requestedQueryCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  if (operation.operation === "mutation") {
    let fields = 0;
    const count = (set: SelectionSetNode, seen: Set<string>): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value !== "__typename") fields += 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count(selection.selectionSet, seen);
        } else {
          const fragment = fragments[selection.name.value];
          if (fragment && !seen.has(fragment.name.value)) {
            count(
              fragment.selectionSet,
              new Set(seen).add(fragment.name.value),
            );
          }
        }
      }
    };
    count(operation.selectionSet, new Set());
    return fields * MUTATION_COST;
  }

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLCompositeType,
    seen: Set<string>,
  ): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        if (condition && isCompositeType(condition))
          total += walk(selection.selectionSet, condition, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (!fragment || seen.has(fragment.name.value)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (condition && isCompositeType(condition)) {
          total += walk(
            fragment.selectionSet,
            condition,
            new Set(seen).add(fragment.name.value),
          );
        }
        continue;
      }
      if (selection.name.value.startsWith("__") || !("getFields" in parent))
        continue;
      const field = parent.getFields()[selection.name.value];
      if (!field) continue;
      const named = getNamedType(field.type);
      if (!isCompositeType(named) || !selection.selectionSet) continue;
      const child = walk(selection.selectionSet, named, seen);
      let args: Record<string, unknown> = {};
      try {
        args = getArgumentValues(field, selection, variables);
      } catch {
        // Invalid arguments are reported by execution; cost them as a page of one.
      }
      const size = pageSize(field, args);
      if (isConnectionType(named)) {
        total += 2 + (size ?? 1) * child;
      } else if (isListOutput(field.type) && size !== null) {
        total += 2 + size * (1 + child);
      } else {
        total += 1 + child;
      }
    }
    return total;
  };
  return walk(operation.selectionSet, root, new Set());
}

/**
 * What a resolved field adds to the actual cost: connections 2, each object returned 1 (in a list,
 * one per element). Called by the simulator's field resolver as values come back.
 */
export function actualCostOf(type: GraphQLOutputType, value: unknown): number {
  const named = getNamedType(type);
  if (!isCompositeType(named) || value === null || value === undefined)
    return 0;
  if (isConnectionType(named)) return 2;
  if (Array.isArray(value))
    return value.filter((item) => item !== null && item !== undefined).length;
  return 1;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** Shopify's per-app, per-shop bucket: drains by query cost, refills continuously. */
export class LeakyBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    readonly maximumAvailable: number,
    readonly restoreRate: number,
    private readonly now: () => number,
  ) {
    this.available = maximumAvailable;
    this.updatedAt = now();
  }

  private refill(): void {
    const at = this.now();
    const elapsed = Math.max(0, at - this.updatedAt) / 1000;
    this.available = Math.min(
      this.maximumAvailable,
      this.available + elapsed * this.restoreRate,
    );
    this.updatedAt = at;
  }

  /** Takes `cost` points if they are there; false (and nothing taken) when they are not. */
  tryTake(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  give(points: number): void {
    this.refill();
    this.available = Math.min(this.maximumAvailable, this.available + points);
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }

  reset(): void {
    this.available = this.maximumAvailable;
    this.updatedAt = this.now();
  }
}
