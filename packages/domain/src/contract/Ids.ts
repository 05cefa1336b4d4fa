import { Schema } from "effect"

export const UserId = Schema.UUID.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

export const WorkspaceId = Schema.UUID.pipe(Schema.brand("WorkspaceId"))
export type WorkspaceId = typeof WorkspaceId.Type

export const ApiKeyId = Schema.UUID.pipe(Schema.brand("ApiKeyId"))
export type ApiKeyId = typeof ApiKeyId.Type

export const ProjectId = Schema.UUID.pipe(Schema.brand("ProjectId"))
export type ProjectId = typeof ProjectId.Type

export const TaskId = Schema.UUID.pipe(Schema.brand("TaskId"))
export type TaskId = typeof TaskId.Type

export const TimerId = Schema.UUID.pipe(Schema.brand("TimerId"))
export type TimerId = typeof TimerId.Type

export const EntryId = Schema.UUID.pipe(Schema.brand("EntryId"))
export type EntryId = typeof EntryId.Type

export const InviteId = Schema.UUID.pipe(Schema.brand("InviteId"))
export type InviteId = typeof InviteId.Type

export const EventId = Schema.UUID.pipe(Schema.brand("EventId"))
export type EventId = typeof EventId.Type
