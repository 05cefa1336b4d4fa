import effect from "@effect/eslint-plugin"
import tseslint from "typescript-eslint"

const sql = ["@effect/sql", "@effect/sql/*", "@effect/sql-pg", "@effect/sql-pg/*"]

/** `no-restricted-imports` with the shared message per group. */
const restrict = (...patterns) => ["error", { patterns }]

const noSql = { group: sql, message: "Only domain talks to the database: call a domain service instead." }
const noOwnPackages = { group: ["@clockme/*"], message: "domain is the innermost package: it imports none of ours." }
const contractOnly = {
  regex: "^(?!effect$|effect/|@effect/platform$|@effect/platform/|\\.)",
  message: "The contract depends on effect and @effect/platform only (no sql, pg, PGlite or node modules)."
}

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "plugins/*/bin/**", "**/build/**", "**/.tmp/**", "**/.clockme/**"] },
  {
    files: ["**/*.ts", "**/*.mts", "**/*.tsx"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "@typescript-eslint": tseslint.plugin, "@effect": effect },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      "no-duplicate-imports": ["error", { allowSeparateTypeImports: true }],
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        caughtErrorsIgnorePattern: "^_",
        destructuredArrayIgnorePattern: "^_",
        ignoreRestSiblings: true
      }],
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }]
    }
  },
  {
    files: ["packages/domain/**/*.ts"],
    rules: { "no-restricted-imports": restrict(noOwnPackages) }
  },
  {
    files: ["packages/domain/src/contract/*.ts"],
    rules: {
      "no-restricted-imports": restrict(noOwnPackages, contractOnly, {
        group: ["../*"],
        message: "The contract imports only its own files: no services, repositories or sql."
      })
    }
  },
  {
    files: ["packages/domain/src/contract/**/*.ts"],
    ignores: ["packages/domain/src/contract/*.ts"],
    rules: {
      "no-restricted-imports": restrict(noOwnPackages, contractOnly, {
        group: ["../../*"],
        message: "The contract imports only its own files: no services, repositories or sql."
      })
    }
  },
  {
    files: ["packages/api/src/**/*.ts", "packages/mcp/src/**/*.ts"],
    rules: { "no-restricted-imports": restrict(noSql) }
  },
  {
    files: ["packages/sdk/src/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict(noSql, {
        // ProjectMatch is pure (no sql, pg or node); it moves into the contract's reach when the CLI is rebuilt.
        regex: "^@clockme/(?!domain/contract/|domain/ProjectMatch$)",
        message: "The SDK is built from the contract alone: import @clockme/domain/contract/* only."
      })
    }
  },
  {
    files: ["packages/web/src/**/*.ts", "packages/web/src/**/*.tsx"],
    rules: {
      "no-restricted-imports": restrict({
        // the browser gets the contract, effect, @effect/platform's client side and preact: nothing of the server
        regex: "^(?!effect$|effect/|@effect/platform$|@effect/platform/Http(Api)?Client|@effect/platform/FetchHttpClient$|" +
          "@effect/platform-browser(/|$)|@clockme/domain/contract/|@clockme/sdk(/setup-records)?$|preact$|preact/|\\.)",
        message: "The dashboard imports only the contract (@clockme/domain/contract/*), the SDK, effect, the platform's " +
          "client and preact: never services, repositories or node modules."
      }, {
        regex: "^\\.\\.?/(\\.\\./)*(domain|api|mcp|sdk|integrations)/",
        message: "The dashboard reaches other packages by their names (the contract only), not by relative paths."
      })
    }
  },
  {
    files: ["packages/sdk/src/setup/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict({
        regex: "^(?!\\./)",
        message: "The setup records run in the dashboard's browser too: they import only each other (no node modules, no packages)."
      })
    }
  }
)
