import { ProjectId } from "@clockme/domain/contract/Ids"
import { FetchHttpClient } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe, ClockMeClient } from "../src/index.js"

const bom = "\uFEFF"

/** The bytes the server sends for a negotiated CSV (`format=csv`), decoded without dropping the byte order mark. */
const negotiated = (url: string, key: string) =>
  Effect.promise(() =>
    fetch(url, { headers: { authorization: `Bearer ${key}` } })
      .then((response) => response.arrayBuffer())
      .then((bytes) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes))
  )

layer(TestServer, { timeout: 120_000, excludeTestServices: true })("CSV through the typed clients", (it) => {
  it.effect("the report and the team summary come as the same CSV the server negotiates, byte order mark included", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const cm = new ClockMe({ apiKey: key, baseUrl: base })
      const { project, workspaceId } = yield* Effect.promise(async () => {
        const project = await cm.projects.create({ name: "=Acme, \"Web\"", hourlyRate: 80 })
        await cm.entries.create({ projectId: project.id, startTime: "2026-06-02T09:00:00Z", durationMinutes: 90 })
        return { project, workspaceId: project.workspaceId }
      })
      const query = { from: "2026-06-01", to: "2026-06-30" }

      const report = yield* Effect.promise(() => cm.reports.billingCsv(query))
      expect(report.startsWith(`${bom}Project,Hours,Billable hours,Rate,Amount,Currency,Entries,AI cost (USD)\r\n`)).toBe(true)
      expect(report).toContain("\"'=Acme, \"\"Web\"\"\",1.50,1.50,80.00,120.00,")
      expect(report).toBe(yield* negotiated(`${base}/api/reports?from=2026-06-01&to=2026-06-30&format=csv`, key))

      const summary = yield* Effect.promise(() => cm.workspaces.summaryCsv({ id: workspaceId, ...query }))
      expect(summary.startsWith(`${bom}Member,Email,Project,Hours,Billable hours,Entries,Amount,Currency,AI cost (USD)\r\n`)).toBe(true)
      expect(summary.endsWith("Total,,,1.5,1.5,1,120.00,USD,0.0000\r\n")).toBe(true)
      expect(summary).toBe(
        yield* negotiated(`${base}/api/workspaces/${workspaceId}/summary?from=2026-06-01&to=2026-06-30&format=csv`, key)
      )

      const client = ClockMeClient.layer({ baseUrl: base, apiKey: key }).pipe(Layer.provide(FetchHttpClient.layer))
      const viaEffect = yield* Effect.gen(function*() {
        const clockme = yield* ClockMeClient
        return yield* clockme.reports.billingCsv({ urlParams: { ...query, projectId: ProjectId.make(project.id), groupBy: "day" } })
      }).pipe(Effect.provide(client))
      const [header, line] = viaEffect.split("\r\n")
      expect(header).toBe(`${bom}Date,Hours,Billable hours,Rate,Amount,Currency,Entries,AI cost (USD)`)
      expect(line).toMatch(/^2026-06-02,1\.50,1\.50,80\.00,120\.00,[A-Z]{3},1,0\.0000$/)
    }))
})
