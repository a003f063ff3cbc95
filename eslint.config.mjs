import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "examples/**/node_modules/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
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
