import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { matchProjectName } from "../src/ProjectMatch.js"
import { Projects } from "../src/services/Projects.js"
import { Timers } from "../src/services/Timers.js"
import { ServiceTest, signUp } from "./lib/ServiceTest.js"

const named = (...names: ReadonlyArray<string>) => names.map((name) => ({ name }))

describe("matchProjectName", () => {
  it("exact ignoring case, then ignoring separators and punctuation", () => {
    const candidates = named("My Project", "Another")
    for (const query of ["My Project", "my project", "MY PROJECT", "my_project", "my-project", "My.Project", "myproject"]) {
      expect(matchProjectName(query, candidates).match?.name, query).toBe("My Project")
    }
  })

  it("an exact match wins over a looser one", () => {
    expect(matchProjectName("api server", named("api_server", "API Server")).match?.name).toBe("API Server")
  })

  it("otherwise the closest name above the threshold, unless fuzzy matching is off", () => {
    const candidates = named("Website Redesign", "Mobile App")
    expect(matchProjectName("website-redesing", candidates).match?.name).toBe("Website Redesign")
    expect(matchProjectName("mobil app", candidates).match?.name).toBe("Mobile App")
    expect(matchProjectName("website-redesing", candidates, { fuzzy: false }).match).toBeUndefined()
    expect(matchProjectName("repo-b", named("repo-a"), { fuzzy: false }).match).toBeUndefined()
  })

  it("no match: up to three suggestions, closest first; none for unrelated names or no projects", () => {
    const result = matchProjectName("Webshop", named("Website Redesign", "Mobile App", "Zz Ops", "Webinar"))
    expect(result.match).toBeUndefined()
    expect(result.suggestions).toHaveLength(3)
    expect(result.suggestions[0]).toBe("Webinar")
    expect(matchProjectName("Anything", [])).toEqual({ match: undefined, suggestions: [] })
    expect(matchProjectName("qq", named("Website")).suggestions).toEqual([])
  })

  it("short names never match fuzzily", () => {
    expect(matchProjectName("ab", named("abc")).match).toBeUndefined()
  })
})

describe("Projects.resolve", () => {
  it.effect("no match: fallbackProjectId, then autoCreate, else ProjectNotFound with the closest names", () =>
    Effect.gen(function*() {
      const projects = yield* Projects
      const me = yield* signUp()
      yield* me.run(projects.create({ name: "Website Redesign" }))
      yield* me.run(projects.create({ name: "Mobile App" }))
      const fallback = yield* me.run(projects.create({ name: "Zz Ops" }))

      const unknown = yield* Effect.flip(me.run(projects.resolve({ projectName: "Webshop" })))
      expect(unknown).toMatchObject({ _tag: "ProjectNotFound", projectName: "Webshop" })
      if (unknown._tag === "ProjectNotFound") {
        expect(unknown.suggestions?.[0]).toBe("Website Redesign")
        expect(unknown.message).toContain("Website Redesign")
      }
      expect((yield* me.run(projects.resolve({ projectName: "Webshop", fallbackProjectId: fallback.id }))).id).toBe(fallback.id)
      const both = yield* me.run(projects.resolve({ projectName: "Brand New", fallbackProjectId: fallback.id, autoCreate: true }))
      expect(both.id).toBe(fallback.id)
      const created = yield* me.run(projects.resolve({ projectName: "Brand New", autoCreate: true }))
      expect(created.name).toBe("Brand New")
      expect((yield* me.run(projects.resolve({ projectName: "brand_new", autoCreate: true }))).id).toBe(created.id)
      expect((yield* me.run(projects.list())).map((p) => p.name)).toEqual(["Brand New", "Mobile App", "Website Redesign", "Zz Ops"])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("with autoCreate a merely similar name creates its own project (repo-a is not repo-b)", () =>
    Effect.gen(function*() {
      const projects = yield* Projects
      const timers = yield* Timers
      const me = yield* signUp({ source: "hook" })
      const a = yield* me.run(timers.start({ projectName: "repo-a", autoCreate: true }))
      const b = yield* me.run(timers.start({ projectName: "repo-b", autoCreate: true }))
      expect(b.projectId).not.toBe(a.projectId)
      expect((yield* me.run(projects.resolve({ projectName: "repo-c" }))).name).toMatch(/^repo-[ab]$/)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("names match only in the caller's workspace and never archived projects", () =>
    Effect.gen(function*() {
      const projects = yield* Projects
      const me = yield* signUp()
      const stranger = yield* signUp()
      yield* stranger.run(projects.create({ name: "Theirs" }))
      expect((yield* Effect.flip(me.run(projects.resolve({ projectName: "Theirs" }))))._tag).toBe("ProjectNotFound")
      const old = yield* me.run(projects.create({ name: "Old" }))
      yield* me.run(projects.update(old.id, { archived: true }))
      expect((yield* Effect.flip(me.run(projects.resolve({ projectId: old.id }))))._tag).toBe("ProjectArchived")
      expect((yield* Effect.flip(me.run(projects.resolve({ projectName: "Old" }))))._tag).toBe("ProjectNotFound")
    }).pipe(Effect.provide(ServiceTest)))
})
