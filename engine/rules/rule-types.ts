/** Any JSON Logic rule: a JSON value whose single-key objects are operations. */
export type JsonLogicRule = unknown;

/** A compiled rule: evaluates against one data record. */
export type RuleFunction = (data?: unknown) => unknown;
