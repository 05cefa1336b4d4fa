import { Refusal } from "@clockme/domain/contract/Refusals"
import { Either, Schema } from "effect"
import { Ajv2020 } from "ajv/dist/2020.js"
import type { ValidateFunction } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"

/** What a test received: enough to check it against the operation's declared answers. */
export interface Received {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly contentType: string | null
  readonly text: string
}

interface Operation {
  readonly template: string
  readonly method: string
  readonly pattern: RegExp
  readonly params: number
}

/**
 * Answered outside the contract's operations: the document itself, its page, MCP (JSON-RPC), plugins' inbound
 * routes, and the dashboard's pages and assets (every path outside /api).
 */
const outside = [/^\/api\/openapi$/, /^\/api\/docs$/, /^\/api\/mcp$/, /^\/api\/integrations\/[^/]+\/inbound\//, /^(?!\/api(\/|$))/]

/** The value a JSON pointer (as ajv reports an instancePath) names. */
const valueAt = (root: unknown, pointer: string): unknown =>
  pointer.split("/").slice(1).reduce<any>(
    (value, part) => value?.[part.replaceAll("~1", "/").replaceAll("~0", "~")],
    root
  )

const decodeRefusal = Schema.decodeUnknownEither(Refusal)

export class Checker {
  private readonly ajv = addFormats.default(new Ajv2020({ strict: false, allErrors: true, logger: false }))
  private readonly operations: ReadonlyArray<Operation>
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor(private readonly document: any) {
    this.operations = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([template, methods]) =>
        Object.keys(methods).map((method) => ({
          template,
          method: method.toUpperCase(),
          // as the router does, an empty segment is a (bad) parameter too
          pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]*")}$`),
          params: (template.match(/\{/g) ?? []).length
        }))
      )
      .sort((a, b) => a.params - b.params)
  }

  private validator(pointer: ReadonlyArray<string>, schema: unknown): ValidateFunction {
    const key = pointer.join("/")
    let validate = this.compiled.get(key)
    if (validate === undefined) {
      // the schema's $refs point into the document's components, so it is compiled with them beside it
      validate = this.ajv.compile({ ...(schema as object), components: this.document.components })
      this.compiled.set(key, validate)
    }
    return validate
  }

  /** Why the answer is not one the document declares, or undefined when it is. */
  problem(received: Received): string | undefined {
    // the router takes /api/projects/ for /api/projects, as the operation it is
    const path = new URL(received.url).pathname.replace(/(.)\/$/, "$1")
    // a CORS preflight is the browser's protocol, not an operation
    if (received.method === "OPTIONS" || outside.some((pattern) => pattern.test(path))) return undefined
    const operation = this.operations.find((op) => op.method === received.method && op.pattern.test(path))
    if (operation === undefined) return this.unrouted(received)
    const responses = this.document.paths[operation.template][operation.method.toLowerCase()].responses
    const declared = responses[String(received.status)] ?? responses.default
    if (declared === undefined) {
      return `status ${received.status} is not declared (declared: ${Object.keys(responses).join(", ")})`
    }
    const content = declared.content as Record<string, { readonly schema: unknown }> | undefined
    if (content === undefined) return received.text === "" || received.method === "HEAD" ? undefined : "a body where none is declared"
    if (received.method === "HEAD") return undefined
    const mediaType = (received.contentType ?? "").split(";")[0]!.trim().toLowerCase()
    const media = Object.entries(content).find(([declaredType]) => declaredType.split(";")[0]!.trim().toLowerCase() === mediaType)?.[1]
    if (media === undefined) return `content type "${mediaType}" is not declared (declared: ${Object.keys(content).join(", ")})`
    if (mediaType !== "application/json") return undefined
    let body: unknown
    try {
      body = JSON.parse(received.text)
    } catch {
      return "the body is not JSON"
    }
    const validate = this.validator([operation.template, operation.method, String(received.status), mediaType], media.schema)
    if (validate(body)) return undefined
    const errors = validate.errors ?? []
    const deepest = errors.reduce((a, b) => b.instancePath.length > a.length ? b.instancePath : a, "")
    const at = deepest === "" ? "" : `\nat ${deepest}: ${shortened(JSON.stringify(valueAt(body, deepest)), 1500)}`
    return `${shortened(this.ajv.errorsText(errors.slice(0, 12), { separator: "; " }), 1500)}${at}`
  }

  /** No operation has this method and path: only the refusals made before routing may answer. */
  private unrouted(received: Received): string | undefined {
    let body: unknown
    try {
      body = JSON.parse(received.text)
    } catch {
      return "no operation has this method and path, and the answer is not a JSON refusal"
    }
    return Either.isRight(decodeRefusal(body)) && received.status >= 400
      ? undefined
      : "no operation has this method and path, and the answer is not one of the contract's refusals"
  }
}

const shortened = (text: string, max: number) => text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text

const checkers = new Map<string, Promise<Checker>>()

const checkerFor = (origin: string) => {
  let checker = checkers.get(origin)
  if (checker === undefined) {
    checker = fetch(`${origin}/api/openapi`).then(async (response) => new Checker(await response.json()))
    checkers.set(origin, checker)
  }
  return checker
}

/**
 * Fails unless the answer is one the server's own OpenAPI document (`GET /api/openapi`) declares for the
 * operation: its status, its media type, and a JSON body matching the declared schema.
 */
export const expectDocumented = async (received: Received): Promise<void> => {
  const checker = await checkerFor(new URL(received.url).origin)
  const problem = checker.problem(received)
  if (problem !== undefined) {
    const path = new URL(received.url).pathname
    throw new Error(
      `Undocumented answer to ${received.method} ${shortened(path, 200)}: ${received.status} ${problem}\n` +
        shortened(received.text, 1000)
    )
  }
}
