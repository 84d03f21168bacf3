// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".playloop/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { project: "./tsconfig.check.json", tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The pipeline flows one way: nothing in engine/ may reach the runtime in workflows/.
    files: ["engine/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/workflows/**"], message: "engine/ must not import workflows/." }] },
      ],
    },
  },
  {
    // Workflow code must replay: only deterministic modules and @temporalio/workflow.
    files: ["workflows/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/engine/runtime/**", "**/engine/cli/**", "**/engine/validate/**", "**/engine/parse/**"],
              message:
                "Workflow code may import only deterministic modules (engine/rules, engine/journey, plan types); activities as types.",
              allowTypeImports: true,
            },
          ],
        },
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "pino", message: "Use log from @temporalio/workflow in workflow code." }],
          patterns: [
            {
              group: ["node:*", "fs", "path", "crypto", "http", "https"],
              message: "Workflow code must be deterministic: no Node APIs.",
            },
            {
              group: ["@temporalio/client", "@temporalio/worker", "@temporalio/activity"],
              message: "Workflow code may only import @temporalio/workflow.",
            },
          ],
        },
      ],
    },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  {
    files: ["tools/**/*.mjs", ".ci/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
