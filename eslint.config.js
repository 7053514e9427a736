import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "test-results/**", "playwright-report/**", "erlang/**", "next-env.d.ts", ".data*/**", "data/**", "scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]", message: "no focused tests" },
      ],
    },
  },
  {
    // Only config.ts reads the environment; only server/runtime/swarm* talks to Docker.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["server/config.ts", "tests/**", "e2e/**", "scripts/**", "playwright.config.ts", "vitest.config.mts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "read configuration through server/config.ts" }],
    },
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["server/runtime/swarm*.ts", "tests/swarm/**"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "dockerode", message: "only server/runtime/swarm* imports dockerode" }] }] },
  },
);
