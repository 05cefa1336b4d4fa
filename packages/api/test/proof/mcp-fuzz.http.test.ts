import { expect, layer } from "@effect/vitest"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js"
import * as fc from "fast-check"
import { Effect } from "effect"
import { connectMcp } from "../lib/McpClient.js"
import { baseUrl, signUp } from "../lib/TestServer.js"
import { idOf, mutatedObject, SEED, seedFor, weird } from "./Generators.js"
import { endpoints, makeWorld, ProofServer, writeWitness } from "./World.js"

/** Generated calls per tool. */
const RUNS = Number(process.env.PROOF_RUNS ?? 25)
const BOUND_MS = 2000

type Answer =
  | { readonly _tag: "result"; readonly result: CallToolResult }
  | { readonly _tag: "protocol"; readonly code: number; readonly message: string }

layer(ProofServer, { timeout: 300_000 })("generated bad arguments against every MCP tool", (it) => {
  it.scoped("-32602 or an isError result with a code, never -32603; refused calls write nothing; answers within 2 s", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { alice, bob, carol } = yield* makeWorld(base, signUp())
      const client = yield* connectMcp(base, alice.full)
      const { tools } = yield* Effect.promise(() => client.listTools())
      // the tools are the contract's annotated endpoints, every one of them
      expect(tools.map((tool) => tool.name).sort()).toEqual(
        endpoints.flatMap((ep) => ep.tool === undefined ? [] : [ep.tool.name]).sort()
      )
      const pool = [
        ...Object.values(alice).filter((v) => !v.startsWith("ck_")),
        ...Object.values(bob).filter((v) => !v.startsWith("ck_")),
        carol.userId
      ]
      const ids = idOf(pool)
      const callTool = (name: string, args: unknown) =>
        Effect.promise(async (): Promise<Answer> => {
          try {
            const result = await client.callTool({ name, arguments: args as Record<string, unknown> }, undefined, {
              timeout: BOUND_MS * 3
            })
            return { _tag: "result", result: result as CallToolResult }
          } catch (error) {
            if (error instanceof McpError) return { _tag: "protocol", code: error.code, message: error.message }
            throw error
          }
        })
      let calls = 0
      // after each call: a refused one wrote nothing
      const witness = yield* writeWitness
      for (const tool of tools) {
        const fields = Object.keys((tool.inputSchema.properties ?? {}) as Record<string, unknown>)
        const samples = [{}, Object.fromEntries(fields.map((field) => [field, alice.project]))]
        const args = fc.oneof(
          { weight: 6, arbitrary: mutatedObject(samples, fields, ids) },
          { weight: 1, arbitrary: weird }
        )
        const outcomes = { ok: 0, toolError: 0, invalid: 0 }
        for (const [index, value] of fc.sample(args, { seed: seedFor(tool.name), numRuns: RUNS }).entries()) {
          const started = performance.now()
          const answer = yield* callTool(tool.name, value)
          const took = performance.now() - started
          calls++
          const at = `${tool.name} #${index} (seed ${seedFor(tool.name)}): ${JSON.stringify(value)?.slice(0, 300)} → ${
            JSON.stringify(answer).slice(0, 400)
          }`
          expect(took, at).toBeLessThan(BOUND_MS)
          let refused = true
          if (answer._tag === "protocol") {
            expect(answer.code, at).toBe(ErrorCode.InvalidParams)
            expect(answer.message.length, at).toBeLessThan(3000)
            outcomes.invalid++
          } else if (answer.result.isError === true) {
            const data = answer.result.content.flatMap((block) => block.type === "text" ? [block.text] : [])[1]
            expect(data, at).toBeDefined()
            const error = JSON.parse(data!).error
            expect(typeof error.code, at).toBe("string")
            expect(error.code, at).not.toBe("internal_error")
            outcomes.toolError++
          } else {
            refused = false
            outcomes.ok++
          }
          yield* witness.check(at, refused, "call")
        }
        expect(outcomes.invalid + outcomes.toolError, tool.name).toBeGreaterThan(0)
      }
      expect(calls).toBe(tools.length * RUNS)
      console.log(`mcp fuzz: ${calls} calls over ${tools.length} tools, seed ${SEED}`)
    }), 180_000)

  it.scoped("a -32602 lists at most ten bad arguments, each clipped, and says how many more there are", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const args: Record<string, unknown> = { name: "x".repeat(5000) }
      for (let i = 0; i < 900; i++) args[`unknown${i}`] = "y".repeat(1000)
      const error = yield* Effect.promise(() =>
        client.callTool({ name: "clockme_create_project", arguments: args }).then(
          () => expect.fail("expected -32602"),
          (error: unknown) => error as McpError
        )
      )
      expect(error).toBeInstanceOf(McpError)
      expect(error.code).toBe(ErrorCode.InvalidParams)
      expect(error.message).toContain("Invalid arguments for clockme_create_project")
      expect(error.message).toContain("unknown0")
      expect(error.message).not.toContain("unknown10:")
      expect(error.message).toMatch(/\(and \d+ more\)/)
      expect(error.message.length).toBeLessThan(3000)
      // one bad argument: named, without a count
      const one = yield* Effect.promise(() =>
        client.callTool({ name: "clockme_create_project", arguments: { name: 5 } }).then(
          () => expect.fail("expected -32602"),
          (error: unknown) => error as McpError
        )
      )
      expect(one.code).toBe(ErrorCode.InvalidParams)
      expect(one.message).toContain("name")
      expect(one.message).not.toContain("more)")
    }))
})
