import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "examples/**/node_modules/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // The type-aware rules below need each file's program: the project service takes it from the nearest
      // tsconfig.json (the build's at the root, test/tsconfig.json for the suites).
      parserOptions: {
        projectService: { allowDefaultProject: ["vitest.config.mts"], defaultProject: "tsconfig.test.json" },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // A promise nobody awaits loses its error (an unhandled rejection ends the provider process) and its order.
      "@typescript-eslint/no-floating-promises": "error",
      // A promise where a callback's result is ignored (an event handler, a forEach) fails the same way.
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // Only provider/http may talk to the network; everything else goes through its client.
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "undici", message: "Use provider/http (the one HTTP client)." }] },
      ],
    },
  },
  {
    files: ["provider/http/**", "bench/**", "test/**"],
    rules: { "no-restricted-imports": "off" },
  },
);
