// Which part of a field path the account schema (schemas/account.schema.json) does not declare:
// templates and scorecard signals read account fields, and a typo there is worth a warning.
import accountSchema from "../../schemas/account.schema.json" with { type: "json" };

function child(schema: unknown, key: string): unknown {
  return typeof schema === "object" && schema !== null && Object.hasOwn(schema, key)
    ? (schema as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The first part of `path` the account schema does not declare, with the names it does declare
 * there; undefined when every part is declared, or the path goes where the schema says nothing
 * (a free-form object, a value's own properties).
 */
export function undeclaredField(
  path: readonly (string | number)[],
): { readonly index: number; readonly known: readonly string[] } | undefined {
  let schema: unknown = accountSchema;
  for (const [index, segment] of path.entries()) {
    if (typeof segment === "number" || segment === "first" || segment === "last") {
      schema = child(schema, "items");
      continue;
    }
    if (segment === "size") return undefined;
    const properties = child(schema, "properties");
    if (typeof properties !== "object" || properties === null) return undefined;
    if (!Object.hasOwn(properties, segment)) return { index, known: Object.keys(properties) };
    schema = child(properties, segment);
  }
  return undefined;
}
