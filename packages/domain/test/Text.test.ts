import { describe, expect, it } from "@effect/vitest"
import { Either, Schema, SchemaAST } from "effect"
import { Api } from "../src/contract/api/Api.js"

/** Texts with a lone UTF-16 surrogate, in shapes that pass URL, e-mail and length checks. */
const loneSurrogates = ["\ud800", "a\udfff", "https://example.com/\ud800", "x\udc00@example.com"]
const jsonWithLoneSurrogates = [{ a: "\ud800" }, { "\ud800": 1 }, ["\ud800"], { a: { b: ["x\udc00"] } }]

const accepts = (ast: SchemaAST.AST, value: unknown) =>
  Either.isRight(Schema.decodeUnknownEither(Schema.make(ast), { errors: "first" })(value))

/**
 * Paths in a request body schema where a lone surrogate would be taken: strings (and record keys) that no
 * enclosing check refuses, and free JSON values that hold one. `seen` stops at a recursive schema's second turn.
 */
const takesLoneSurrogates = (ast: SchemaAST.AST, path: string, seen = new Set<SchemaAST.AST>()): ReadonlyArray<string> => {
  if (SchemaAST.encodedAST(ast)._tag === "StringKeyword") {
    return loneSurrogates.some((text) => accepts(ast, text)) ? [path] : []
  }
  if (SchemaAST.encodedAST(ast)._tag === "Declaration") {
    return jsonWithLoneSurrogates.some((value) => accepts(ast, value)) ? [path] : []
  }
  switch (ast._tag) {
    case "TypeLiteral":
      return [
        ...ast.propertySignatures.flatMap((p) => takesLoneSurrogates(p.type, `${path}.${String(p.name)}`, seen)),
        ...ast.indexSignatures.flatMap((i) => [
          ...takesLoneSurrogates(i.parameter, `${path}.<key>`, seen),
          ...takesLoneSurrogates(i.type, `${path}.<value>`, seen)
        ])
      ]
    case "Union":
      return ast.types.flatMap((member) => takesLoneSurrogates(member, path, seen))
    case "TupleType":
      return [...ast.elements.map((e) => e.type), ...ast.rest.map((r) => r.type)]
        .flatMap((type) => takesLoneSurrogates(type, `${path}[]`, seen))
    case "Refinement":
      return takesLoneSurrogates(ast.from, path, seen)
    case "Transformation":
      return takesLoneSurrogates(ast.from, path, seen)
    case "Suspend": {
      if (seen.has(ast)) return []
      seen.add(ast)
      return takesLoneSurrogates(ast.f(), path, seen)
    }
    default:
      return []
  }
}

describe("text a client sends", () => {
  it("every request body of the contract refuses a lone surrogate wherever it takes text", () => {
    const offenders: Array<string> = []
    for (const group of Object.values(Api.groups)) {
      for (const endpoint of Object.values(group.endpoints)) {
        if (endpoint.payloadSchema._tag === "None") continue
        offenders.push(...takesLoneSurrogates(endpoint.payloadSchema.value.ast, `${endpoint.method} ${endpoint.path}`))
      }
    }
    expect(offenders).toEqual([])
  })
})
