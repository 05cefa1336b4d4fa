import { CreateEntry, UpdateEntry } from "@clockme/domain/contract/Entry"
import { CreateProject, UpdateProject } from "@clockme/domain/contract/Project"
import { CreateTask } from "@clockme/domain/contract/Task"
import { UpdateTimer } from "@clockme/domain/contract/Timer"
import { expect, layer } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { Tool } from "@modelcontextprotocol/sdk/types.js"
import { Effect, TestClock } from "effect"
import { createProject, keyWithScope, setNow, unknownKey, uuid } from "./lib/Fixtures.js"
import { connectMcp, ok, protocolError, rpc, toolError } from "./lib/McpClient.js"
import { jsonExport } from "./lib/ClaudeCodeExport.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

/** The tools and their key parameters as the public docs list them. */
const documented: Record<string, ReadonlyArray<string>> = {
  clockme_start_timer: ["projectId", "projectName", "autoCreate", "description", "taskId"],
  clockme_stop_timer: ["projectId"],
  clockme_pause_timer: ["projectId"],
  clockme_resume_timer: ["projectId"],
  clockme_status: [],
  clockme_update_timer: ["currentProjectId", "description", "projectId"],
  clockme_log_time: ["projectId", "startTime", "durationMinutes", "endTime", "idempotencyKey"],
  clockme_edit_entry: ["entryId", "description", "projectId", "billable"],
  clockme_list_projects: [],
  clockme_get_project: ["projectId"],
  clockme_create_project: ["name", "hourlyRate", "budgetHours"],
  clockme_update_project: ["projectId", "name", "hourlyRate"],
  clockme_list_tasks: ["projectId", "status"],
  clockme_create_task: ["projectId", "name", "estimatedHours", "hourlyRate"],
  clockme_complete_task: ["taskId"],
  clockme_list_entries: ["projectId", "from", "to", "limit"],
  clockme_get_report: ["from", "to"],
  clockme_get_budget: ["projectId"],
  clockme_get_dashboard: [],
  clockme_get_team_summary: ["from", "to"]
}

const required: Record<string, ReadonlyArray<string>> = {
  clockme_update_timer: ["currentProjectId"],
  clockme_log_time: ["projectId", "startTime"],
  clockme_edit_entry: ["entryId"],
  clockme_get_project: ["projectId"],
  clockme_create_project: ["name"],
  clockme_update_project: ["projectId"],
  clockme_list_tasks: ["projectId"],
  clockme_create_task: ["name", "projectId"],
  clockme_complete_task: ["taskId"],
  clockme_get_report: ["from", "to"],
  clockme_get_budget: ["projectId"]
}

/** [readOnly, destructive, idempotent, openWorld] */
const hints: Record<string, readonly [boolean, boolean, boolean, boolean]> = {
  clockme_start_timer: [false, false, true, false],
  clockme_stop_timer: [false, false, false, false],
  clockme_pause_timer: [false, false, false, false],
  clockme_resume_timer: [false, false, false, false],
  clockme_status: [true, false, true, false],
  clockme_update_timer: [false, true, true, false],
  clockme_log_time: [false, false, false, false],
  clockme_edit_entry: [false, true, true, false],
  clockme_list_projects: [true, false, true, false],
  clockme_get_project: [true, false, true, false],
  clockme_create_project: [false, false, true, false],
  clockme_update_project: [false, true, true, false],
  clockme_list_tasks: [true, false, true, false],
  clockme_create_task: [false, false, false, false],
  clockme_complete_task: [false, false, true, false],
  clockme_list_entries: [true, false, true, false],
  clockme_get_report: [true, false, true, false],
  clockme_get_budget: [true, false, true, false],
  clockme_get_dashboard: [true, false, true, false],
  clockme_get_team_summary: [true, false, true, false]
}

const propertiesOf = (tool: Tool) => Object.keys(tool.inputSchema.properties ?? {}).sort()
const docsHeaders = (key: string) => ({ Authorization: `Bearer ${key}` })

layer(TestServer, { timeout: 120_000 })("MCP over Streamable HTTP at /api/mcp", (it) => {
  it.scoped("tools/list: exactly the 20 documented tools, each parameter described, all four hints explicit", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const { tools } = yield* Effect.promise(() => client.listTools())

      expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(documented).sort())
      expect(JSON.stringify(tools)).not.toContain("$ref")
      for (const tool of tools) {
        const properties = tool.inputSchema.properties as Record<string, { description?: string }>
        expect.soft(propertiesOf(tool), tool.name).toEqual(expect.arrayContaining([...documented[tool.name]!].sort()))
        expect.soft([...(tool.inputSchema.required ?? [])].sort(), tool.name).toEqual(required[tool.name] ?? [])
        expect.soft(tool.inputSchema.additionalProperties, tool.name).toBe(false)
        for (const [name, property] of Object.entries(properties)) {
          expect.soft(property.description?.length ?? 0, `${tool.name}.${name}`).toBeGreaterThan(25)
        }
        expect.soft(tool.title, tool.name).toBeTruthy()
        expect.soft(tool.description?.length ?? 0, tool.name).toBeGreaterThan(40)
        expect.soft(tool.outputSchema?.type, tool.name).toBe("object")
        const [readOnlyHint, destructiveHint, idempotentHint, openWorldHint] = hints[tool.name]!
        expect.soft(tool.annotations, tool.name).toEqual({
          title: tool.title,
          readOnlyHint,
          destructiveHint,
          idempotentHint,
          openWorldHint
        })
      }
    }))

  it.scoped("input schemas come from the domain payload schemas, so REST and MCP accept the same fields", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const { tools } = yield* Effect.promise(() => client.listTools())
      const byName = new Map(tools.map((tool) => [tool.name, tool]))
      const fields = (tool: string) => propertiesOf(byName.get(tool)!)
      const keys = (struct: { readonly fields: object }, ...extra: Array<string>) =>
        [...Object.keys(struct.fields), ...extra].sort()

      expect(fields("clockme_log_time")).toEqual(keys(CreateEntry).filter((key) => key !== "source"))
      expect(fields("clockme_edit_entry")).toEqual(keys(UpdateEntry, "entryId"))
      expect(fields("clockme_create_project")).toEqual(keys(CreateProject))
      expect(fields("clockme_update_project")).toEqual(keys(UpdateProject, "projectId"))
      expect(fields("clockme_create_task")).toEqual(keys(CreateTask))
      expect(fields("clockme_update_timer")).toEqual(keys(UpdateTimer))
      // the domain's constraints travel with them
      const logTime = byName.get("clockme_log_time")!.inputSchema.properties as Record<string, any>
      expect(logTime.durationMinutes).toMatchObject({ type: "number", minimum: 1 / 60, maximum: 1440 })
      expect(logTime.projectId).toMatchObject({ type: "string", format: "uuid" })
      expect(logTime.idempotencyKey).toMatchObject({ minLength: 1, maxLength: 200 })
      const listEntries = byName.get("clockme_list_entries")!.inputSchema.properties as Record<string, any>
      expect(listEntries.limit).toMatchObject({ type: "integer", minimum: 1, maximum: 500 })
      expect(listEntries.from).toMatchObject({ type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" })
    }))

  it.effect("a missing or bad key is an HTTP 401 with WWW-Authenticate; the SDK client cannot connect", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const list = { jsonrpc: "2.0", id: 1, method: "tools/list" }

      const missing = yield* rpc(base, list, {})
      expect(missing.status).toBe(401)
      expect(missing.headers.get("www-authenticate")).toBe(`Bearer realm="ClockMe"`)
      expect(missing.body).toMatchObject({ code: "unauthorized" })

      const bad = yield* rpc(base, list, docsHeaders(unknownKey()))
      expect(bad.status).toBe(401)
      expect(bad.headers.get("www-authenticate")).toMatch(/^Bearer realm="ClockMe", error="invalid_token", error_description="[^"]+"$/)

      const malformed = yield* rpc(base, list, { Authorization: "Basic dXNlcjpwYXNz" })
      expect(malformed.status).toBe(401)

      const refused = yield* Effect.promise(async () => {
        const client = new Client({ name: "no-key", version: "1.0.0" })
        return client.connect(new StreamableHTTPClientTransport(new URL(`${base}/api/mcp`))).then(
          () => "connected",
          (error: Error) => error.message
        )
      })
      expect(refused).not.toBe("connected")
    }))

  it.effect("the public docs' client config works: plain JSON-RPC POSTs with only the Authorization header", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()

      const init = yield* rpc(base, {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "8" } }
      }, docsHeaders(key))
      expect(init.status).toBe(200)
      expect(init.headers.get("content-type")).toMatch(/application\/json/)
      expect(init.headers.get("mcp-session-id")).toBeNull()
      expect(init.body.result).toMatchObject({
        protocolVersion: "2025-06-18",
        serverInfo: { name: "clockme" },
        capabilities: { tools: {} }
      })
      expect(init.body.result.instructions).toContain("clockme_start_timer")

      const listed = yield* rpc(base, { jsonrpc: "2.0", id: 2, method: "tools/list" }, docsHeaders(key))
      expect(listed.body.result.tools).toHaveLength(20)

      const started = yield* rpc(base, {
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "clockme_start_timer", arguments: { projectName: "docs-config", autoCreate: true } }
      }, docsHeaders(key))
      expect(started.status).toBe(200)
      expect(started.body.result.structuredContent).toMatchObject({
        projectName: "docs-config",
        source: "mcp",
        state: "running",
        startedAt: "2026-06-10T09:00:00.000Z"
      })
      expect(JSON.parse(started.body.result.content[0].text)).toEqual(started.body.result.structuredContent)

      // the same timer is visible over REST
      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toMatchObject([{ projectName: "docs-config", source: "mcp" }])

      // a notification gets 202, and GET (no server-to-client stream in stateless mode) gets 405
      const notified = yield* rpc(base, { jsonrpc: "2.0", method: "notifications/initialized" }, docsHeaders(key))
      expect(notified.status).toBe(202)
      const get = yield* Effect.promise(() => fetch(`${base}/api/mcp`, { headers: docsHeaders(key) }))
      expect(get.status).toBe(405)
      expect(get.headers.get("allow")).toBe("POST")
    }))

  it.effect("the same rate limits as REST, counted together per account: 429 with Retry-After, reset next minute", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T09:00:10Z")
      const base = yield* baseUrl
      const { key } = yield* signUp({ plan: "free" })
      const status = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "clockme_status", arguments: {} } }

      const first = yield* rpc(base, status, docsHeaders(key))
      expect(first.status).toBe(200)
      expect(first.headers.get("ratelimit-limit")).toBe("60")
      expect(first.headers.get("x-ratelimit-remaining")).toBe("59")
      for (let i = 2; i <= 59; i++) expect((yield* call(base, "GET", "/api/timer/current", { key })).status).toBe(200)
      const last = yield* rpc(base, status, docsHeaders(key))
      expect(last.status).toBe(200)
      expect(last.headers.get("ratelimit-remaining")).toBe("0")

      const limited = yield* rpc(base, status, docsHeaders(key))
      expect(limited.status).toBe(429)
      expect(limited.body).toMatchObject({ code: "rate_limited", retryAfterSeconds: 50 })
      expect(limited.headers.get("retry-after")).toBe("50")
      expect((yield* call(base, "GET", "/api/projects", { key })).status).toBe(429)

      yield* TestClock.adjust("50 seconds")
      const again = yield* rpc(base, status, docsHeaders(key))
      expect(again.status).toBe(200)
      expect(again.body.result.structuredContent).toEqual({ timers: [] })
    }))

  it.effect("nothing can crash the endpoint: garbage bodies are JSON-RPC errors and the next call works", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const headers = docsHeaders(key)

      const notJson = yield* rpc(base, "{not json", headers)
      expect(notJson.status).toBe(400)
      expect(notJson.body.error.code).toBe(-32700)
      const notRpc = yield* rpc(base, { hello: "world" }, headers)
      expect(notRpc.status).toBe(400)
      const unknownMethod = yield* rpc(base, { jsonrpc: "2.0", id: 7, method: "resources/list" }, headers)
      expect(unknownMethod.body.error.code).toBe(-32601)
      const badParams = yield* rpc(base, {
        jsonrpc: "2.0",
        id: 8,
        method: "tools/call",
        params: { name: "clockme_status", arguments: [1, 2] }
      }, headers)
      expect(badParams.body.error.code).toBe(-32602)
      const wrongType = yield* rpc(base, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: 42 } }, headers)
      expect(wrongType.body.error.code).toBe(-32602)
      const textType = yield* rpc(base, "{}", { ...headers, "content-type": "text/plain" })
      expect(textType.status).toBe(415)
      // PostgreSQL text cannot hold NUL: refused up front, never a failed query, as a JSON-RPC error of the call
      const nul = yield* rpc(base, {
        jsonrpc: "2.0",
        id: 11,
        method: "tools/call",
        params: { name: "clockme_create_project", arguments: { name: "a\u0000b" } }
      }, headers)
      expect(nul.status).toBe(200)
      expect(nul.body).toMatchObject({ jsonrpc: "2.0", id: 11, error: { code: -32602 } })

      const status = yield* rpc(base, {
        jsonrpc: "2.0",
        id: 10,
        method: "tools/call",
        params: { name: "clockme_status", arguments: {} }
      }, headers)
      expect(status.body.result.structuredContent).toEqual({ timers: [] })
    }))

  it.scoped("malformed calls and unknown tools are protocol errors (-32602) naming the bad argument", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)

      const unknown = yield* protocolError(client, "clockme_fly", {})
      expect(unknown.code).toBe(-32602)
      expect(unknown.message).toContain("Unknown tool")

      const notUuid = yield* protocolError(client, "clockme_get_project", { projectId: "nope" })
      expect(notUuid.code).toBe(-32602)
      expect(notUuid.message).toContain("projectId")

      const missing = yield* protocolError(client, "clockme_log_time", { startTime: "2026-06-10T09:00:00Z" })
      expect(missing.message).toContain("projectId")

      const extra = yield* protocolError(client, "clockme_status", { verbose: true })
      expect(extra.message).toContain("verbose")

      const badDay = yield* protocolError(client, "clockme_get_report", { from: "2026-02-30", to: "2026-03-01" })
      expect(badDay.message).toContain("from")

      const badInstant = yield* protocolError(client, "clockme_log_time", {
        projectId: uuid(),
        startTime: "yesterday",
        durationMinutes: 5
      })
      expect(badInstant.message).toContain("startTime")

      const tooLong = yield* protocolError(client, "clockme_log_time", {
        projectId: uuid(),
        startTime: "2026-06-10T09:00:00Z",
        durationMinutes: 2000
      })
      expect(tooLong.message).toContain("durationMinutes")
    }))

  it.scoped("timers: fuzzy start, status, pause and resume without counting the pause, update, stop", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const web = yield* ok(client, "clockme_create_project", { name: "Website Redesign", hourlyRate: 100 })
      const mobile = yield* ok(client, "clockme_create_project", { name: "Mobile App" })

      const started = yield* ok(client, "clockme_start_timer", { projectName: "website-redesing", description: "Hero" })
      expect(started).toMatchObject({
        projectId: web.id,
        projectName: "Website Redesign",
        description: "Hero",
        source: "mcp",
        alreadyRunning: false
      })
      const again = yield* ok(client, "clockme_start_timer", { projectId: web.id })
      expect(again).toMatchObject({ id: started.id, alreadyRunning: true })

      yield* TestClock.adjust("20 minutes")
      const paused = yield* ok(client, "clockme_pause_timer", {})
      expect(paused).toMatchObject({ state: "paused", elapsedSeconds: 1200 })
      const notRunning = yield* toolError(client, "clockme_pause_timer", {}, "timer_not_running")
      expect(notRunning.text).toContain("clockme_status")

      yield* TestClock.adjust("1 hour")
      const resumed = yield* ok(client, "clockme_resume_timer", { projectId: web.id })
      expect(resumed).toMatchObject({ state: "running", elapsedSeconds: 1200 })
      yield* TestClock.adjust("10 minutes")

      const status = yield* ok(client, "clockme_status")
      expect(status.timers).toMatchObject([{ projectId: web.id, state: "running", elapsedSeconds: 1800 }])

      const moved = yield* ok(client, "clockme_update_timer", {
        currentProjectId: web.id,
        projectId: mobile.id,
        description: "Onboarding"
      })
      expect(moved).toMatchObject({ projectId: mobile.id, description: "Onboarding", elapsedSeconds: 1800 })
      const gone = yield* toolError(client, "clockme_update_timer", { currentProjectId: web.id }, "timer_not_running")
      expect(gone.text).toContain(web.id)

      const stopped = yield* ok(client, "clockme_stop_timer", {})
      expect(stopped).toMatchObject({
        projectId: mobile.id,
        durationSeconds: 1800,
        pausedSeconds: 3600,
        source: "mcp",
        stopReason: "manual",
        description: "Onboarding"
      })
      const nothing = yield* toolError(client, "clockme_stop_timer", {}, "timer_not_running")
      expect(nothing.text).toContain("clockme_start_timer")
      const nothingToResume = yield* toolError(client, "clockme_resume_timer", {}, "timer_not_running")
      expect(nothingToResume.text).toContain("No timer is paused")
    }))

  it.scoped("timer errors tell the model what to do: closest names, ambiguous stop listing the timers", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const web = yield* ok(client, "clockme_create_project", { name: "Website Redesign" })
      const mobile = yield* ok(client, "clockme_create_project", { name: "Mobile App" })

      const unknown = yield* toolError(client, "clockme_start_timer", { projectName: "Webshop" }, "project_not_found")
      expect(unknown.data.suggestions).toContain("Website Redesign")
      expect(unknown.text).toContain("\"Website Redesign\"")
      expect(unknown.text).toContain("autoCreate: true")
      const neither = yield* toolError(client, "clockme_start_timer", {}, "invalid_input")
      expect(neither.text).toContain("projectName")

      yield* ok(client, "clockme_start_timer", { projectId: web.id })
      yield* ok(client, "clockme_start_timer", { projectId: mobile.id })
      const ambiguous = yield* toolError(client, "clockme_stop_timer", {}, "ambiguous_timer")
      expect(ambiguous.data.timers).toHaveLength(2)
      expect(ambiguous.text).toContain(`"Website Redesign" (projectId ${web.id})`)
      expect(ambiguous.text).toContain(`"Mobile App" (projectId ${mobile.id})`)
      const ambiguousPause = yield* toolError(client, "clockme_pause_timer", {}, "ambiguous_timer")
      expect(ambiguousPause.text).toContain("projectId")

      const byName = yield* ok(client, "clockme_stop_timer", { projectName: "mobile app" })
      expect(byName.projectId).toBe(mobile.id)
      const onlyOne = yield* ok(client, "clockme_stop_timer", {})
      expect(onlyOne.projectId).toBe(web.id)

      const archived = yield* ok(client, "clockme_update_project", { projectId: mobile.id, archived: true })
      expect(archived.archived).toBe(true)
      const refused = yield* toolError(client, "clockme_start_timer", { projectId: mobile.id }, "project_archived")
      expect(refused.text).toContain("\"archived\": false")
      // a task id that does not exist, another account's real task, the caller's own task of another project
      const other = yield* signUp()
      const otherProject = yield* createProject(base, other.key, { name: "Elsewhere" })
      const otherTask = (yield* call(base, "POST", "/api/tasks", { key: other.key, body: { projectId: otherProject.id, name: "Theirs" } })).body
      const ownOtherTask = yield* ok(client, "clockme_create_task", { projectId: mobile.id, name: "Mobile only" })
      const unknownTask = uuid()
      const noSuchTask = yield* toolError(client, "clockme_start_timer", { projectId: web.id, taskId: unknownTask }, "task_not_found")
      expect(noSuchTask.text).toContain("clockme_list_tasks")
      // another account's task: exactly the answer to an unknown id (nothing tells that it exists)
      const foreignTask = yield* toolError(client, "clockme_start_timer", { projectId: web.id, taskId: otherTask.id }, "task_not_found")
      expect(foreignTask.text.replaceAll(otherTask.id, "<id>")).toBe(noSuchTask.text.replaceAll(unknownTask, "<id>"))
      // the caller's own task on another project: refused, saying so
      const misplaced = yield* toolError(client, "clockme_start_timer", { projectId: web.id, taskId: ownOtherTask.id }, "task_not_found")
      expect(misplaced.text).toContain(`does not belong to project ${web.id}`)
      expect((yield* ok(client, "clockme_status")).timers).toEqual([])
    }))

  it.scoped("a read key reads but cannot write: the tool error names the scope needed", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T09:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Scoped" })
      const readKey = yield* keyWithScope(user.id, "read")
      const client = yield* connectMcp(base, readKey)

      const listed = yield* ok(client, "clockme_list_projects")
      expect(listed.projects.map((p: any) => p.name)).toEqual(["Scoped"])
      yield* ok(client, "clockme_status")
      yield* ok(client, "clockme_get_dashboard")

      for (
        const [name, args] of [
          ["clockme_start_timer", { projectId: project.id }],
          ["clockme_log_time", { projectId: project.id, startTime: "2026-06-10T08:00:00Z", durationMinutes: 30 }],
          ["clockme_create_project", { name: "Nope" }],
          ["clockme_create_task", { projectId: project.id, name: "Nope" }]
        ] as const
      ) {
        const refused = yield* toolError(client, name, args, "insufficient_scope")
        expect(refused.data).toMatchObject({ required: "write", scope: "read" })
        expect(refused.text).toContain("\"write\" scope")
      }
      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toEqual([])
      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body).toHaveLength(1)
    }))

  it.scoped("log time once per idempotency key, edit, list with paging, and entry errors", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T18:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const project = yield* ok(client, "clockme_create_project", { name: "Billing", hourlyRate: 80 })
      const other = yield* ok(client, "clockme_create_project", { name: "Other", billable: false })

      const block = { projectId: project.id, startTime: "2026-06-10T09:00:00Z", durationMinutes: 90, idempotencyKey: "s1-b1" }
      const first = yield* ok(client, "clockme_log_time", { ...block, description: "Invoices" })
      expect(first).toMatchObject({
        projectId: project.id,
        startTime: "2026-06-10T09:00:00.000Z",
        endTime: "2026-06-10T10:30:00.000Z",
        durationSeconds: 5400,
        billable: true,
        source: "mcp",
        idempotencyKey: "s1-b1"
      })
      const retry = yield* ok(client, "clockme_log_time", { ...block, description: "Invoices" })
      expect(retry.id).toBe(first.id)
      const second = yield* ok(client, "clockme_log_time", {
        projectId: project.id,
        startTime: "2026-06-10T11:00:00+02:00",
        endTime: "2026-06-10T11:30:00+02:00"
      })
      expect(second.durationSeconds).toBe(1800)

      const both = yield* toolError(client, "clockme_log_time", {
        projectId: project.id,
        startTime: "2026-06-10T09:00:00Z",
        durationMinutes: 10,
        endTime: "2026-06-10T09:10:00Z"
      }, "invalid_input")
      expect(both.text).toContain("Correct the endTime argument")
      const backwards = yield* toolError(client, "clockme_log_time", {
        projectId: project.id,
        startTime: "2026-06-10T09:00:00Z",
        endTime: "2026-06-10T08:00:00Z"
      }, "invalid_input")
      expect(backwards.text).toContain("after startTime")
      yield* toolError(client, "clockme_log_time", {
        projectId: uuid(),
        startTime: "2026-06-10T09:00:00Z",
        durationMinutes: 5
      }, "project_not_found")

      const edited = yield* ok(client, "clockme_edit_entry", {
        entryId: first.id,
        description: "Invoices and reminders",
        projectId: other.id,
        billable: false
      })
      expect(edited).toMatchObject({
        id: first.id,
        description: "Invoices and reminders",
        projectId: other.id,
        billable: false,
        durationSeconds: 5400
      })
      const missing = yield* toolError(client, "clockme_edit_entry", { entryId: uuid(), billable: true }, "entry_not_found")
      expect(missing.text).toContain("clockme_list_entries")

      const page = yield* ok(client, "clockme_list_entries", { limit: 1, from: "2026-06-10", to: "2026-06-10" })
      expect(page.entries).toHaveLength(1)
      expect(page.nextCursor).toEqual(expect.any(String))
      const next = yield* ok(client, "clockme_list_entries", { limit: 1, cursor: page.nextCursor })
      expect(next.entries).toHaveLength(1)
      expect(new Set([page.entries[0].id, next.entries[0].id])).toEqual(new Set([first.id, second.id]))
      const onlyOther = yield* ok(client, "clockme_list_entries", { projectId: other.id })
      expect(onlyOther.entries.map((e: any) => e.id)).toEqual([first.id])
      const reversed = yield* toolError(client, "clockme_list_entries", { from: "2026-06-10", to: "2026-06-01" }, "invalid_input")
      expect(reversed.text).toContain("to")
    }))

  it.scoped("another account's objects are not found, exactly as if they did not exist", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T18:00:00Z")
      const base = yield* baseUrl
      const owner = yield* signUp()
      const stranger = yield* signUp()
      const mine = yield* connectMcp(base, owner.key)
      const theirs = yield* connectMcp(base, stranger.key)
      const project = yield* ok(mine, "clockme_create_project", { name: "Private" })
      const task = yield* ok(mine, "clockme_create_task", { projectId: project.id, name: "Secret" })
      const entry = yield* ok(mine, "clockme_log_time", {
        projectId: project.id,
        startTime: "2026-06-10T09:00:00Z",
        durationMinutes: 15
      })

      yield* toolError(theirs, "clockme_get_project", { projectId: project.id }, "project_not_found")
      yield* toolError(theirs, "clockme_get_budget", { projectId: project.id }, "project_not_found")
      yield* toolError(theirs, "clockme_list_tasks", { projectId: project.id }, "project_not_found")
      yield* toolError(theirs, "clockme_complete_task", { taskId: task.id }, "task_not_found")
      yield* toolError(theirs, "clockme_edit_entry", { entryId: entry.id, description: "x" }, "entry_not_found")
      yield* toolError(theirs, "clockme_start_timer", { projectId: project.id }, "project_not_found")
      yield* toolError(theirs, "clockme_update_project", { projectId: project.id, name: "Mine now" }, "project_not_found")
      const listed = yield* ok(theirs, "clockme_list_projects")
      expect(listed.projects).toEqual([])
    }))

  it.effect("concurrent calls with different keys and the same JSON-RPC id each run as their own account", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T19:00:00Z")
      const base = yield* baseUrl
      const accounts = yield* Effect.forEach(Array.from({ length: 6 }, (_, i) => i), (i) =>
        Effect.gen(function*() {
          const { key } = yield* signUp()
          const started = yield* rpc(base, {
            jsonrpc: "2.0",
            id: 1,
            method: "tools/call",
            params: { name: "clockme_start_timer", arguments: { projectName: `own-${i}`, autoCreate: true } }
          }, docsHeaders(key))
          expect(started.body.result.structuredContent).toMatchObject({ projectName: `own-${i}`, source: "mcp" })
          return { key, project: `own-${i}` }
        }))
      // every account's calls interleaved, all with id 1, so that servers and transports are shared or reused
      const calls = Array.from({ length: 8 }, () => accounts).flat()
      const answers = yield* Effect.forEach(calls, ({ key }, i) =>
        rpc(base, {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: i % 2 === 0 ? { name: "clockme_status", arguments: {} } : { name: "clockme_list_projects", arguments: {} }
        }, docsHeaders(key)), { concurrency: "unbounded" })
      const seen = answers.map((answer, i) => {
        const result = answer.body.result.structuredContent
        return i % 2 === 0 ? result.timers.map((timer: any) => timer.projectName) : result.projects.map((p: any) => p.name)
      })
      expect(seen).toEqual(calls.map(({ project }) => [project]))
    }))

  it.scoped("projects and tasks: create, duplicate name, update, details with tasks, budget and all-time hours", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T18:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)

      const project = yield* ok(client, "clockme_create_project", {
        name: "Atlas",
        hourlyRate: 120,
        budgetHours: 10,
        budgetAmount: 1000,
        color: "#3b82f6"
      })
      expect(project).toMatchObject({ name: "Atlas", hourlyRate: 120, budgetHours: 10, billable: true, archived: false })
      const taken = yield* toolError(client, "clockme_create_project", { name: "atlas" }, "project_name_taken")
      expect(taken.text).toContain("clockme_list_projects")
      const updated = yield* ok(client, "clockme_update_project", { projectId: project.id, hourlyRate: 150, name: "Atlas v2" })
      expect(updated).toMatchObject({ id: project.id, name: "Atlas v2", hourlyRate: 150 })

      const design = yield* ok(client, "clockme_create_task", { projectId: project.id, name: "Design", estimatedHours: 4 })
      const build = yield* ok(client, "clockme_create_task", { projectId: project.id, name: "Build", hourlyRate: 200 })
      expect(design).toMatchObject({ name: "Design", estimatedHours: 4, status: "active" })
      const done = yield* ok(client, "clockme_complete_task", { taskId: design.id })
      expect(done).toMatchObject({ id: design.id, status: "complete", completedAt: "2026-06-10T18:00:00.000Z" })
      const doneAgain = yield* ok(client, "clockme_complete_task", { taskId: design.id })
      expect(doneAgain.completedAt).toBe(done.completedAt)
      yield* toolError(client, "clockme_complete_task", { taskId: uuid() }, "task_not_found")

      const active = yield* ok(client, "clockme_list_tasks", { projectId: project.id })
      expect(active.tasks.map((t: any) => t.name)).toEqual(["Build"])
      const all = yield* ok(client, "clockme_list_tasks", { projectId: project.id, status: "all" })
      expect(all.tasks.map((t: any) => t.name).sort()).toEqual(["Build", "Design"])
      const complete = yield* ok(client, "clockme_list_tasks", { projectId: project.id, status: "complete" })
      expect(complete.tasks.map((t: any) => t.id)).toEqual([design.id])

      yield* ok(client, "clockme_log_time", {
        projectId: project.id,
        taskId: build.id,
        startTime: "2026-06-10T09:00:00Z",
        durationMinutes: 120
      })
      yield* ok(client, "clockme_log_time", { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 30 })

      const details = yield* ok(client, "clockme_get_project", { projectId: project.id })
      expect(details.project).toMatchObject({ id: project.id, name: "Atlas v2" })
      expect(details.tasks.map((t: any) => [t.name, t.status]).sort()).toEqual([["Build", "active"], ["Design", "complete"]])
      expect(details.allTime).toEqual({ hours: 2.5, billableHours: 2.5, entries: 2, yourHours: 2.5 })
      expect(details.budget).toMatchObject({
        projectId: project.id,
        hours: { limit: 10, used: 2.5, remaining: 7.5, percent: 25 },
        status: "ok"
      })
      yield* toolError(client, "clockme_get_project", { projectId: uuid() }, "project_not_found")

      const listed = yield* ok(client, "clockme_list_projects")
      expect(listed.projects).toMatchObject([{ id: project.id, hourlyRate: 150, budgetHours: 10, budgetAmount: 1000 }])
      yield* ok(client, "clockme_update_project", { projectId: project.id, archived: true })
      expect((yield* ok(client, "clockme_list_projects")).projects).toEqual([])
      const withArchived = yield* ok(client, "clockme_list_projects", { includeArchived: true })
      expect(withArchived.projects.map((p: any) => p.id)).toEqual([project.id])
    }))

  it.scoped("reports, budget burn with a hard cap, dashboard and team summary", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T18:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const capped = yield* ok(client, "clockme_create_project", {
        name: "Capped",
        hourlyRate: 100,
        budgetHours: 2,
        budgetHardCap: true
      })
      const free = yield* ok(client, "clockme_create_project", { name: "Free", hourlyRate: 50 })

      yield* ok(client, "clockme_log_time", { projectId: capped.id, startTime: "2026-06-10T08:00:00Z", durationMinutes: 105 })
      const warning = yield* ok(client, "clockme_get_budget", { projectId: capped.id })
      expect(warning).toMatchObject({ status: "warning", hours: { used: 1.75, limit: 2, percent: 87.5 }, exhausted: false })
      yield* ok(client, "clockme_log_time", { projectId: capped.id, startTime: "2026-06-10T10:00:00Z", durationMinutes: 15 })
      const over = yield* ok(client, "clockme_get_budget", { projectId: capped.id })
      expect(over).toMatchObject({ status: "over", exhausted: true, hours: { used: 2, remaining: 0, percent: 100 } })
      expect(over.alerts.map((a: any) => a.threshold).sort()).toEqual([100, 80])

      const spent = yield* toolError(client, "clockme_log_time", {
        projectId: capped.id,
        startTime: "2026-06-10T12:00:00Z",
        durationMinutes: 5
      }, "budget_exhausted")
      expect(spent.text).toContain("another project")
      yield* toolError(client, "clockme_get_budget", { projectId: uuid() }, "project_not_found")

      yield* ok(client, "clockme_log_time", { projectId: free.id, startTime: "2026-06-10T13:00:00Z", durationMinutes: 60 })
      const report = yield* ok(client, "clockme_get_report", { from: "2026-06-01", to: "2026-06-30" })
      expect(report).toMatchObject({ from: "2026-06-01", to: "2026-06-30", groupBy: "project" })
      expect(report.totals).toMatchObject({ hours: 3, billableHours: 3, amount: 250, entries: 3 })
      expect(report.projects.map((line: any) => [line.projectName, line.hours, line.amount])).toEqual(
        expect.arrayContaining([["Capped", 2, 200], ["Free", 1, 50]])
      )
      const byDay = yield* ok(client, "clockme_get_report", { from: "2026-06-01", to: "2026-06-30", groupBy: "day" })
      expect(byDay.lines).toMatchObject([{ date: "2026-06-10", hours: 3 }])
      const onlyFree = yield* ok(client, "clockme_get_report", { from: "2026-06-01", to: "2026-06-30", projectId: free.id })
      expect(onlyFree.totals.hours).toBe(1)
      yield* toolError(client, "clockme_get_report", { from: "2026-06-30", to: "2026-06-01" }, "invalid_input")
      const noDates = yield* protocolError(client, "clockme_get_report", {})
      expect(noDates.message).toContain("from")

      yield* ok(client, "clockme_start_timer", { projectId: free.id })
      const dashboard = yield* ok(client, "clockme_get_dashboard")
      expect(dashboard.timers).toMatchObject([{ projectId: free.id, source: "mcp" }])
      expect(dashboard.today).toMatchObject({ from: "2026-06-10", hours: 3, entries: 3 })
      expect(dashboard.alerts).toMatchObject([{ kind: "budget_over", projectId: capped.id }])

      const team = yield* ok(client, "clockme_get_team_summary", { from: "2026-06-01", to: "2026-06-30" })
      expect(team).toMatchObject({ from: "2026-06-01", to: "2026-06-30", totalHours: 3 })
      expect(team.byMember).toHaveLength(1)
      expect(team.byProject.map((p: any) => [p.name, p.hours])).toEqual(expect.arrayContaining([["Capped", 2], ["Free", 1]]))
      const thisMonth = yield* ok(client, "clockme_get_team_summary")
      expect(thisMonth).toMatchObject({ from: "2026-06-01", to: "2026-06-10", totalHours: 3 })
    }))

  it.scoped("the AI cost of a session shows in clockme_status, clockme_get_report and clockme_get_dashboard", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const project = yield* ok(client, "clockme_create_project", { name: "Agentic", budgetAmount: 100, budgetIncludesAiCost: true })
      expect(project.budgetIncludesAiCost).toBe(true)
      yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id, source: "hook", sessionId: "mcp-ai" } })
      const exported = yield* call(base, "POST", "/api/otlp/v1/logs", {
        key,
        rawBody: jsonExport([
          { sessionId: "mcp-ai", at: Date.parse("2026-06-10T09:00:10Z"), requestId: "r1", model: "claude-sonnet-4-5", costUsd: 0.5 },
          { sessionId: "mcp-ai", at: Date.parse("2026-06-10T09:00:20Z"), requestId: "r2", model: "mystery-model", inputTokens: 10 }
        ]),
        headers: { "content-type": "application/json" }
      })
      expect(exported.status).toBe(200)
      const status = yield* ok(client, "clockme_status")
      expect(status.timers[0].usage).toMatchObject({ requests: 2, costUsd: 0.5, unpricedModels: ["mystery-model"] })
      yield* TestClock.adjust("30 minutes")
      yield* ok(client, "clockme_stop_timer", { projectId: project.id })
      const report = yield* ok(client, "clockme_get_report", { from: "2026-06-10", to: "2026-06-10" })
      expect(report.lines).toMatchObject([{ projectName: "Agentic", hours: 0.5, aiCostUsd: 0.5, unpricedModels: ["mystery-model"] }])
      expect(report.totals).toMatchObject({ hours: 0.5, aiCostUsd: 0.5, unpricedModels: ["mystery-model"] })
      const dashboard = yield* ok(client, "clockme_get_dashboard")
      expect(dashboard.today).toMatchObject({ hours: 0.5, aiCostUsd: 0.5 })
      expect(yield* ok(client, "clockme_get_budget", { projectId: project.id })).toMatchObject({ amount: { used: 0.5 } })
    }))
})
