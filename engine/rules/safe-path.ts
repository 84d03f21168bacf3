// Property names that exist on built-in prototypes. A rule path that names one of them must only
// ever read an own property, or `{"var": "constructor"}` would reach Object.prototype.constructor.
const INHERITED_NAMES: ReadonlySet<string> = new Set(
  [Object, Array, String, Number, Boolean, Function, Symbol, BigInt, RegExp, Date]
    .flatMap((ctor) => Object.getOwnPropertyNames(ctor.prototype))
    .concat(["__proto__", "prototype", "constructor"]),
);

/** True when a path segment names a property that built-in prototypes carry. */
export function isInheritedName(segment: string): boolean {
  return INHERITED_NAMES.has(segment);
}

/** Segments that playbooks may never use in a field path. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Reads one own property; inherited properties read as undefined. */
export function ownProperty(target: unknown, key: string): unknown {
  if (target === null || target === undefined) return undefined;
  return Object.hasOwn(Object(target), key) ? (target as Record<string, unknown>)[key] : undefined;
}

/** json-logic-js `var` lookup that never walks a prototype chain. */
export function getPath(data: unknown, path: unknown, notFound: unknown): unknown {
  const fallback = notFound === undefined ? null : notFound;
  if (path === undefined || path === null || path === "") return data;
  let current: unknown = data;
  for (const segment of String(path).split(".")) {
    if (current === null || current === undefined) return fallback;
    current = ownProperty(current, segment);
    if (current === undefined) return fallback;
  }
  return current;
}
