import type { DataPath } from "../parse/locate.js";

const CONDITION_REF = "#/$defs/condition";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The few schema keywords the walk follows, read defensively from the JSON schema. */
interface SchemaNode {
  readonly ref?: string;
  readonly properties: Record<string, unknown>;
  readonly additionalProperties?: unknown;
  readonly items?: unknown;
}

function schemaNode(raw: unknown): SchemaNode {
  const node = isRecord(raw) ? raw : {};
  return {
    ref: typeof node.$ref === "string" ? node.$ref : undefined,
    properties: isRecord(node.properties) ? node.properties : {},
    additionalProperties: isRecord(node.additionalProperties) ? node.additionalProperties : undefined,
    items: isRecord(node.items) ? node.items : undefined,
  };
}

/**
 * Finds every condition in a playbook that may not be schema-valid elsewhere, by walking the data
 * beside the schema. Lets the expression checks run, and report, even when the schema fails.
 */
export function conditionSites(value: unknown, schema: object): { path: DataPath; condition: unknown }[] {
  const sites: { path: DataPath; condition: unknown }[] = [];
  const defs = "$defs" in schema && isRecord(schema.$defs) ? schema.$defs : {};
  const resolve = (node: SchemaNode): SchemaNode => {
    const ref = node.ref;
    if (ref === undefined || !ref.startsWith("#/$defs/")) return node;
    return schemaNode(defs[ref.slice("#/$defs/".length)]);
  };
  const visitCondition = (data: unknown, path: DataPath): void => {
    if (typeof data === "string") sites.push({ path, condition: data });
    else if (isRecord(data)) {
      for (const key of ["all", "any"] as const) {
        const list = data[key];
        if (Array.isArray(list)) list.forEach((item, i) => visitCondition(item, [...path, key, i]));
      }
      if ("not" in data) visitCondition(data.not, [...path, "not"]);
    }
  };
  const visit = (data: unknown, raw: unknown, path: DataPath, depth: number): void => {
    const declared = schemaNode(raw);
    if (depth > 32) return;
    if (declared.ref === CONDITION_REF) return visitCondition(data, path);
    const node = resolve(declared);
    if (Array.isArray(data) && node.items !== undefined) {
      data.forEach((item, i) => visit(item, node.items, [...path, i], depth + 1));
      return;
    }
    if (!isRecord(data)) return;
    for (const [key, child] of Object.entries(data)) {
      const sub = Object.hasOwn(node.properties, key) ? node.properties[key] : node.additionalProperties;
      if (sub !== undefined) visit(child, sub, [...path, key], depth + 1);
    }
  };
  visit(value, schema, [], 0);
  return sites;
}
