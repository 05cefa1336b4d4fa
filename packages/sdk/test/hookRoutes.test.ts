import { describe, expect, it } from "@effect/vitest"
import { HOOK_ROUTES } from "../src/cli/HookRoutes.js"
import { Api } from "../src/index.js"

describe("the hook's routes", () => {
  it("are the contract's own", () => {
    const endpoint = (group: "timer" | "system", name: string) => {
      const found = (Api.groups[group]!.endpoints as Record<string, { readonly method: string; readonly path: string }>)[name]!
      return { method: found.method, path: found.path }
    }
    expect(HOOK_ROUTES).toEqual({
      health: endpoint("system", "health"),
      start: endpoint("timer", "start"),
      heartbeat: endpoint("timer", "heartbeat"),
      stop: endpoint("timer", "stop")
    })
  })
})
