// Operation semantics shared by the interpreter (`evaluate`) and the code generator (`compileRule`).
// Each mirrors json-logic-js 2.0.5 exactly, except that paths never reach a prototype.

/** JSON Logic truthiness: an empty array is false, everything else as in JavaScript. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value) && value.length === 0) return false;
  return !!value;
}

export function lessThan(a: unknown, b: unknown, c?: unknown): boolean {
  const x = a as number;
  const y = b as number;
  return c === undefined ? x < y : x < y && y < (c as number);
}

export function lessOrEqual(a: unknown, b: unknown, c?: unknown): boolean {
  const x = a as number;
  const y = b as number;
  return c === undefined ? x <= y : x <= y && y <= (c as number);
}

export function minus(a: unknown, b: unknown): number {
  return b === undefined ? -(a as number) : (a as number) - (b as number);
}

export function plus(...args: unknown[]): number {
  let sum = 0;
  for (const arg of args) sum = parseFloat(String(sum)) + parseFloat(arg as string);
  return sum;
}

export function times(...args: unknown[]): unknown {
  if (args.length === 0) throw new TypeError("Reduce of empty array with no initial value");
  let product: unknown = args[0];
  for (let i = 1; i < args.length; i++) product = parseFloat(product as string) * parseFloat(args[i] as string);
  return product;
}

export function inOp(a: unknown, b: unknown): boolean {
  if (!b || typeof (b as { indexOf?: unknown }).indexOf === "undefined") return false;
  return (b as { indexOf(x: unknown): number }).indexOf(a) !== -1;
}

export function cat(...args: unknown[]): string {
  return args.join("");
}

export function substr(source: unknown, start: unknown, end: unknown): string {
  const text = String(source);
  if ((end as number) < 0) {
    const tail = text.substr(start as number);
    return tail.substr(0, tail.length + (end as number));
  }
  return text.substr(start as number, end as number);
}

export function merge(...args: unknown[]): unknown[] {
  return args.reduce<unknown[]>((acc, item) => acc.concat(item), []);
}

export function log(value: unknown): unknown {
  console.log(value);
  return value;
}

export function scopedFilter(list: unknown, test: (item: unknown) => unknown): unknown[] {
  return Array.isArray(list) ? list.filter((item) => truthy(test(item))) : [];
}

export function scopedMap(list: unknown, fn: (item: unknown) => unknown): unknown[] {
  return Array.isArray(list) ? list.map((item) => fn(item)) : [];
}

export function scopedReduce(list: unknown, fn: (scope: unknown) => unknown, initial: unknown): unknown {
  if (!Array.isArray(list)) return initial;
  return list.reduce((accumulator: unknown, current: unknown) => fn({ current, accumulator }), initial);
}

export function scopedAll(list: unknown, test: (item: unknown) => unknown): boolean {
  if (!Array.isArray(list) || list.length === 0) return false;
  for (const item of list) if (!truthy(test(item))) return false;
  return true;
}

export function scopedNone(list: unknown, test: (item: unknown) => unknown): boolean {
  if (!Array.isArray(list) || list.length === 0) return true;
  for (const item of list) if (truthy(test(item))) return false;
  return true;
}

export function scopedSome(list: unknown, test: (item: unknown) => unknown): boolean {
  if (!Array.isArray(list) || list.length === 0) return false;
  for (const item of list) if (truthy(test(item))) return true;
  return false;
}

/** Thrown (as json-logic-js does) when a rule names an operation that does not exist. */
export function unrecognized(op: string): never {
  throw new Error(`Unrecognized operation ${op}`);
}
