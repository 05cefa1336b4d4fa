import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { CreateEntry, Entry, EntryNotFound, EntryPage, ListEntriesQuery, UpdateEntry } from "../Entry.js"
import { BudgetExhausted } from "../Budget.js"
import { Conflict, Forbidden, InvalidInput } from "../Errors.js"
import { EntryId } from "../Ids.js"
import { ProjectArchived, ProjectNotFound } from "../Project.js"
import { TaskNotFound } from "../Task.js"
import { Authentication } from "./Authentication.js"
import { IdempotencyKeyHeader } from "./IdempotencyKeyHeader.js"
import { McpTool, readOnly } from "./McpTool.js"

const instant = "An ISO 8601 instant with a timezone, e.g. 2026-06-01T09:00:00Z or 2026-06-01T11:00:00+02:00"

const EntryPath = Schema.Struct({ id: EntryId })

export class EntriesApi extends HttpApiGroup.make("entries")
  .add(
    HttpApiEndpoint.get("list", "/entries")
      .setUrlParams(ListEntriesQuery)
      .addSuccess(EntryPage)
      .addError(ProjectNotFound)
      .addError(InvalidInput)
      .annotate(McpTool, {
        name: "clockme_list_entries",
        title: "List time entries",
        description: "Your completed time entries in the active workspace, newest first, optionally for one project " +
          "and a range of days (in your timezone). Returns at most limit entries and a nextCursor for the next page.",
        ...readOnly,
        params: {
          projectId: "Only entries of this project (a UUID from clockme_list_projects). Omit for all projects.",
          from: "First day to include, YYYY-MM-DD in your timezone. Omit for no lower bound.",
          to: "Last day to include (inclusive), YYYY-MM-DD in your timezone. Omit for no upper bound.",
          limit: "How many entries to return, 1 to 500. Default 50.",
          cursor: "The nextCursor of the previous page, to get the following entries. Omit for the first page."
        }
      })
  )
  .add(
    HttpApiEndpoint.post("create", "/entries")
      .setPayload(CreateEntry)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(Entry, { status: 201 })
      .addError(ProjectNotFound)
      .addError(ProjectArchived)
      .addError(TaskNotFound)
      .addError(InvalidInput)
      .addError(BudgetExhausted)
      .addError(Conflict)
      .annotate(OpenApi.Description, "Log a completed entry. A repeat with the same idempotencyKey (or Idempotency-Key header) returns the first entry.")
      .annotate(McpTool, {
        name: "clockme_log_time",
        title: "Log a time block",
        description: "Record a completed block of work on a project after the fact: a start time plus either " +
          "durationMinutes or endTime (at most 24 hours). Pass an idempotencyKey so that a retry of the same call " +
          "returns the first entry instead of logging the time twice.",
        destructive: false,
        idempotent: false,
        params: {
          projectId: "The project's id (a UUID from clockme_list_projects). Required.",
          startTime: `When the work began. ${instant}. Required.`,
          durationMinutes: "How long the work took, in minutes (more than 0, at most 1440; decimals allowed). " +
            "Give this or endTime, not both.",
          endTime: `When the work ended, after startTime and at most 24 hours later. ${instant}. ` +
            "Give this or durationMinutes, not both.",
          description: "What was done, up to 2000 characters. Omit for none.",
          taskId: "A task of the same project (a UUID from clockme_list_tasks). Omit or null for none.",
          billable: "Whether the time is billable. Omit to use the project's billable setting.",
          idempotencyKey: "Any string up to 200 characters that identifies this block, e.g. \"<session id>-block-3\". " +
            "Calling again with the same key returns the entry created the first time and logs nothing new. " +
            "Omit only if a duplicate would not matter."
        }
      })
  )
  .add(
    HttpApiEndpoint.patch("update", "/entries/:id")
      .setPath(EntryPath)
      .setPayload(UpdateEntry)
      .addSuccess(Entry)
      .addError(EntryNotFound)
      .addError(Forbidden)
      .addError(ProjectNotFound)
      .addError(ProjectArchived)
      .addError(TaskNotFound)
      .addError(InvalidInput)
      .addError(BudgetExhausted)
      .annotate(McpTool, {
        name: "clockme_edit_entry",
        title: "Edit a time entry",
        description: "Change a completed entry of yours: description, project, task, billable, or its times " +
          "(startTime, then endTime or durationMinutes). Fields you omit stay as they are. Only the entry's author " +
          "can edit it.",
        destructive: true,
        idempotent: true,
        rename: { id: "entryId" },
        params: {
          entryId: "The entry's id (a UUID from clockme_list_entries, clockme_log_time or clockme_stop_timer). Required.",
          projectId: "Move the entry to this project (a UUID from clockme_list_projects). Omit to keep it.",
          taskId: "A task of the entry's (new) project; null clears it. Omit to keep it (moving clears it).",
          description: "The new description, up to 2000 characters; null clears it. Omit to keep it.",
          startTime: `A new start time. ${instant}. Omit to keep it; alone it shifts the entry and keeps its length.`,
          endTime: `A new end time, after the start and at most 24 hours later. ${instant}. Omit to keep it.`,
          durationMinutes: "A new length in minutes (more than 0, at most 1440), counted from the start. " +
            "Give this or endTime, not both. Omit to keep it.",
          billable: "Whether the entry is billable. Omit to keep it."
        }
      })
  )
  .add(
    HttpApiEndpoint.del("delete", "/entries/:id")
      .setPath(EntryPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(EntryNotFound)
      .addError(Forbidden)
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Entries")
{}
