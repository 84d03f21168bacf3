#!/usr/bin/env node
// Runs the json-logic/compat-tables suites (a checkout's `suites/` folder, given as the argument)
// through json-logic-js and playloop's compileRule and evaluate, and counts the cases where
// playloop's outcome (the value, or that it threw, and what it logged) differs from json-logic-js's.
// Exit 1 on any difference. A developer's check, not part of CI (the suites are not vendored):
//   npm run build && node tools/jsonlogic-compat.mjs ../compat-tables/suites
import { readFileSync } from "node:fs";
import { join } from "node:path";
import jsonLogic from "json-logic-js";
import { compileRule, evaluate, registerPlayloopOperations } from "../dist/engine/index.js";

const suites = process.argv[2];
if (suites === undefined) {
  console.error("usage: node tools/jsonlogic-compat.mjs <compat-tables/suites folder>");
  process.exit(2);
}
registerPlayloopOperations(jsonLogic);

/** The value or the throw of one run, and what it logged. */
function outcome(run) {
  const logged = [];
  const log = console.log;
  console.log = (...values) => void logged.push(values);
  try {
    return JSON.stringify({ value: run(), logged });
  } catch {
    return JSON.stringify({ threw: true, logged });
  } finally {
    console.log = log;
  }
}

let cases = 0;
let differ = 0;
const files = JSON.parse(readFileSync(join(suites, "index.json"), "utf8"));
for (const file of files) {
  for (const entry of JSON.parse(readFileSync(join(suites, file), "utf8"))) {
    if (typeof entry !== "object" || entry === null) continue;
    cases++;
    const { rule, data } = entry;
    const reference = outcome(() => jsonLogic.apply(rule, data));
    const compiled = outcome(() => compileRule(rule)(data));
    const interpreted = outcome(() => evaluate(rule, data));
    if (compiled === reference && interpreted === reference) continue;
    differ++;
    console.log(`${file}: ${entry.description}\n  rule ${JSON.stringify(rule)}\n  json-logic-js ${reference}`);
    console.log(`  compileRule ${compiled}\n  evaluate ${interpreted}`);
  }
}
console.log(
  `${cases} cases in ${files.length} files: ${differ} where compileRule or evaluate differ from json-logic-js`,
);
process.exitCode = differ === 0 ? 0 : 1;
