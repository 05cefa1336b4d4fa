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

const EntryPath = Schema.Struct({ id: EntryId })

export class EntriesApi extends HttpApiGroup.make("entries")
  .add(
    HttpApiEndpoint.get("list", "/entries")
      .setUrlParams(ListEntriesQuery)
      .addSuccess(EntryPage)
      .addError(ProjectNotFound)
      .addError(InvalidInput)
  )
  .add(
    HttpApiEndpoint.post("create", "/entries")
      .setPayload(CreateEntry)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(Entry.json, { status: 201 })
      .addError(ProjectNotFound)
      .addError(ProjectArchived)
      .addError(TaskNotFound)
      .addError(InvalidInput)
      .addError(BudgetExhausted)
      .addError(Conflict)
      .annotate(OpenApi.Description, "Log a completed entry. A repeat with the same idempotencyKey (or Idempotency-Key header) returns the first entry.")
  )
  .add(
    HttpApiEndpoint.patch("update", "/entries/:id")
      .setPath(EntryPath)
      .setPayload(UpdateEntry)
      .addSuccess(Entry.json)
      .addError(EntryNotFound)
      .addError(Forbidden)
      .addError(ProjectNotFound)
      .addError(ProjectArchived)
      .addError(TaskNotFound)
      .addError(InvalidInput)
      .addError(BudgetExhausted)
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
