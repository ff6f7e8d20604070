// `npm run lint`: eslint with typescript-eslint's recommended rules over src/, test/ and bench/.
// Rules switched off or relaxed here carry their reason; code does not sprinkle disable comments.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", ".dist-*/", "node_modules/", "docs/api/", "reproduce/", "out/", "datasets/cache/", ".jupyter/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.mjs", "examples/**/*.mjs", "scripts/**/*.mjs", "eslint.config.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", performance: "readonly", fetch: "readonly", AbortSignal: "readonly", AbortController: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", WebAssembly: "readonly", queueMicrotask: "readonly", structuredClone: "readonly", globalThis: "readonly" },
    },
    rules: {
      // Callbacks and table entries share one signature; an argument a given entry ignores is named `_x`.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      // It flags defensive initial values and state resets before `continue` in hand-unrolled kernel loops; tsc's definite-assignment checks cover the real bugs.
      "no-useless-assignment": "off",
      // Tests strip ANSI colour escapes (\x1b[…m) from terminal output on purpose.
      "no-control-regex": "off",
    },
  },
);
