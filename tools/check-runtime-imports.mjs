#!/usr/bin/env node
// Checks an installed or packed playloop (a folder holding its package.json and dist/) for imports
// that would fail at run time: every package the compiled engine and workflows import must be in
// `dependencies`, and every relative import must point at a file that is there.
// Usage: node tools/check-runtime-imports.mjs [package folder, default: this repository]
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const declared = new Set([
  ...Object.keys(manifest.dependencies ?? {}),
  ...Object.keys(manifest.optionalDependencies ?? {}),
  ...Object.keys(manifest.peerDependencies ?? {}),
]);
const builtins = new Set(builtinModules);

/** Every .js file under a folder. */
function javascriptFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return javascriptFiles(path);
    return name.endsWith(".js") || name.endsWith(".mjs") ? [path] : [];
  });
}

// Static imports and re-exports (`import x from "y"`, `export { x } from "y"`, `import "y"`) and
// dynamic `import("y")`, as tsc writes them.
const PATTERNS = [
  /^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm,
  /^\s*import\s*["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const folders = ["dist/engine", "dist/workflows"].map((dir) => join(root, dir));
const problems = [];
let files = 0;
for (const folder of folders) {
  if (!existsSync(folder)) {
    problems.push(`${relative(root, folder)}/ is missing`);
    continue;
  }
  for (const file of javascriptFiles(folder)) {
    files++;
    const text = readFileSync(file, "utf8");
    for (const pattern of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1];
        const where = relative(root, file);
        if (specifier.startsWith(".")) {
          if (!existsSync(resolve(dirname(file), specifier)))
            problems.push(`${where} imports ${specifier}, which is not in the package`);
        } else if (specifier.startsWith("node:") || builtins.has(specifier)) {
          continue;
        } else if (!declared.has(packageName(specifier))) {
          problems.push(`${where} imports ${specifier}, but ${packageName(specifier)} is not in dependencies`);
        }
      }
    }
  }
}

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`check-runtime-imports: ${problem}\n`);
  process.exit(1);
}
process.stdout.write(`check-runtime-imports: ${files} files, every import resolves to the package or a dependency\n`);
