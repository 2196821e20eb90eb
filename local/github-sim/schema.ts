// GitHub's published GraphQL schema, built once per process, and the per-document work that
// does not depend on the request (parse, validate, cost), cached by document text so a poll's
// ten identical page queries pay for validation once.
import * as published from '@octokit/graphql-schema';
import {
  buildClientSchema,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  type ValueNode,
  validate,
} from 'graphql';

// The package's SDL file does not parse; its introspection JSON does.
export const githubSchema: GraphQLSchema = buildClientSchema(
  published.schema.json as unknown as Parameters<typeof buildClientSchema>[0],
);

export interface PreparedDocument {
  document?: DocumentNode;
  errors?: readonly GraphQLError[];
}

const prepared = new Map<string, PreparedDocument>();

export function prepareDocument(source: string): PreparedDocument {
  const hit = prepared.get(source);
  if (hit) return hit;
  let result: PreparedDocument;
  try {
    const document = parse(source);
    const errors = validate(githubSchema, document);
    result = errors.length > 0 ? { errors } : { document };
  } catch (error) {
    result = { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
  }
  prepared.set(source, result);
  if (prepared.size > 500) prepared.delete(prepared.keys().next().value!);
  return result;
}

export interface QueryCost {
  /** Points this query costs (GitHub: connection requests / 100, rounded, at least 1). */
  cost: number;
  /** The most nodes the query can return (sum of `first`/`last` over its connections). */
  nodeCount: number;
  /** `rateLimit(dryRun: true)`: compute the cost, charge nothing. */
  dryRun: boolean;
}

/** GitHub's documented cost formula over the operation's `search` fields. */
export function queryCost(
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): QueryCost | { error: string } {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { error: `Unknown operation named "${operationName ?? ''}".` };
  if (!operationName && operations.length > 1)
    return { error: 'Must provide operation name if query contains multiple operations.' };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  let requests = 0;
  let nodeCount = 0;
  let dryRun = false;
  const visit = (set: SelectionSetNode, seen: Set<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === 'search') {
          requests += 1;
          nodeCount +=
            Number(argument(selection, 'first', variables) ?? argument(selection, 'last', variables) ?? 0) || 0;
        } else if (selection.name.value === 'rateLimit' && argument(selection, 'dryRun', variables) === true) {
          dryRun = true;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, seen);
      } else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet, new Set([...seen, selection.name.value]));
      }
    }
  };
  visit(operation.selectionSet, new Set());
  return { cost: Math.max(1, Math.round(requests / 100)), nodeCount, dryRun };
}

function argument(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  return arg ? literal(arg.value, variables) : undefined;
}

function literal(value: ValueNode, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return variables[value.name.value];
    case Kind.INT:
      return Number(value.value);
    case Kind.BOOLEAN:
      return value.value;
    case Kind.STRING:
    case Kind.ENUM:
      return value.value;
    default:
      return undefined;
  }
}

/** The messages GitHub's schema gives for a query document: empty when GitHub would accept it. */
export function validateGitHubQuery(source: string): string[] {
  return (prepareDocument(source).errors ?? []).map((e) => e.message);
}
