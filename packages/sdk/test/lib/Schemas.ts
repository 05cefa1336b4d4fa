import { Ajv, type ValidateFunction } from "ajv"
import { Ajv2020 } from "ajv/dist/2020.js"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { sdkRoot } from "./Cli.js"

/**
 * A validator of one of the tools' own published schemas (test/schemas/README.md names each source). Formats
 * are not checked: the schemas use custom ones (Codex's uint64) that no validator knows.
 */
export const publishedSchema = (file: string, draft: "7" | "2020" = "7"): ValidateFunction => {
  // A validator each: Ajv refuses a second schema with the same $id.
  const options = { strict: false, allErrors: true, validateFormats: false }
  const ajv = draft === "7" ? new Ajv(options) : new Ajv2020(options)
  return ajv.compile(JSON.parse(readFileSync(join(sdkRoot, "test", "schemas", file), "utf8")))
}
