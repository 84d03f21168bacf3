import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { readRepoFile } from "../helpers.js";

const schemas = ["schemas/playbook.schema.json", "schemas/account.schema.json", "schemas/destinations.schema.json", "schemas/scenario.schema.json", "schemas/scorecard.schema.json"].map(
  (file) => [file, JSON.parse(readRepoFile(file)) as Record<string, unknown>] as const,
);

/** Every property declared anywhere in the schema, with its JSON path. */
function properties(node: unknown, path: string): [string, Record<string, unknown>][] {
  if (Array.isArray(node)) return node.flatMap((item, i) => properties(item, `${path}/${i}`));
  if (node === null || typeof node !== "object") return [];
  const record = node as Record<string, unknown>;
  const own =
    record.properties !== null && typeof record.properties === "object"
      ? Object.entries(record.properties as Record<string, Record<string, unknown>>).map(
          ([key, value]) => [`${path}/properties/${key}`, value] as [string, Record<string, unknown>],
        )
      : [];
  return [...own, ...Object.entries(record).flatMap(([key, value]) => properties(value, `${path}/${key}`))];
}

describe("JSON Schemas", () => {
  it.each(schemas)("%s is 2020-12 with an $id and compiles in ajv strict mode", (_file, schema) => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toMatch(/^https:\/\//);
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it.each(schemas)("%s titles and describes every property, for editor hover docs", (_file, schema) => {
    const found = properties(schema, "#");
    expect(found.length).toBeGreaterThan(10);
    const undocumented = found.filter(([, value]) => typeof value.description !== "string").map(([path]) => path);
    expect(undocumented).toEqual([]);
    // A title heads each hover; without one, editors head every hover with the schema's own title.
    const untitled = found.filter(([, value]) => typeof value.title !== "string").map(([path]) => path);
    expect(untitled).toEqual([]);
  });

  it("closes every playbook object to unknown keys", () => {
    const [, schema] = schemas[0] ?? [];
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${path}/${i}`));
      if (node === null || typeof node !== "object") return;
      const record = node as Record<string, unknown>;
      if (record.type === "object" && record.properties !== undefined && record.additionalProperties !== false) open.push(path);
      for (const [key, value] of Object.entries(record)) walk(value, `${path}/${key}`);
    };
    walk(schema, "#");
    expect(open).toEqual([]);
  });

  it("the bundled playbooks point editors at the schema", () => {
    expect(readRepoFile("playbooks/seat-upsell.yaml").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schemas/playbook.schema.json",
    );
    expect(readRepoFile("playbooks/scorecard.yaml").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schemas/scorecard.schema.json",
    );
  });
});
