import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { Forbidden, InvalidInput } from "../contract/Errors.js"
import { ProjectArchived as ProjectArchivedEvent, ProjectCreated, ProjectUpdated } from "../contract/Events.js"
import type { ProjectId, WorkspaceId } from "../contract/Ids.js"
import { ProjectArchived, ProjectNameTaken, ProjectNotFound } from "../contract/Project.js"
import type { CreateProject, Project, UpdateProject } from "../contract/Project.js"
import { matchProjectName } from "../ProjectMatch.js"
import { ProjectsRepo } from "../repos/ProjectsRepo.js"
import { isUniqueViolation } from "../repos/SqlErrors.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { Events } from "./Events.js"
import { someOrFail } from "./Found.js"
import { transactional } from "../sql/Transactional.js"

export interface ProjectReference {
  readonly projectId?: ProjectId | undefined
  readonly projectName?: string | undefined
  readonly fallbackProjectId?: ProjectId | undefined
  readonly autoCreate?: boolean | undefined
}

const nameTaken = (name: string) =>
  new ProjectNameTaken({ name, message: `A project named "${name}" already exists in this workspace` })

/** Time can only be tracked on a project that is not archived. */
export const ensureActive = (project: Project) =>
  project.archived
    ? Effect.fail(
      new ProjectArchived({
        projectId: project.id,
        message: `Project "${project.name}" is archived; unarchive it (PATCH archived: false) to track time on it`
      })
    )
    : Effect.succeed(project)

/** Fields that move money or budgets: in a shared workspace only owners set them. */
const OWNER_ONLY: ReadonlyArray<string> = [
  "hourlyRate",
  "billable",
  "budgetHours",
  "budgetAmount",
  "budgetPeriod",
  "budgetHardCap",
  "budgetIncludesAiCost",
  "archived"
]

export class Projects extends Effect.Service<Projects>()("@clockme/domain/Projects", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* ProjectsRepo
    const events = yield* Events
    const workspaces = yield* WorkspacesRepo

    /** Refuses a member's change of an owner-only field; members may still create, rename and recolour. */
    const requireOwnerFor = Effect.fn("Projects.requireOwnerFor")(function*(input: object, what: string) {
      const fields = Object.entries(input).filter(([field, value]) => value !== undefined && OWNER_ONLY.includes(field))
        .map(([field]) => field)
      if (fields.length === 0) return
      const actor = yield* CurrentActor
      const membership = yield* workspaces.findMembership(actor.userId, actor.workspaceId)
      if (Option.isSome(membership) && membership.value.role === "owner") return
      const name = Option.match(membership, { onNone: () => "this workspace", onSome: (w) => `workspace "${w.name}"` })
      return yield* new Forbidden({
        message: `Only owners of ${name} can set ${fields.join(", ")} ${what}: rates, budgets, billability and ` +
          `archiving are owner-only in a shared workspace. Members may create projects and tasks, rename them and ` +
          `change their colour.`
      })
    })

    const list = Effect.fn("Projects.list")(function*(options?: { readonly includeArchived?: boolean | undefined }) {
      const actor = yield* CurrentActor
      return yield* repo.list(actor.workspaceId, options?.includeArchived ?? false)
    })

    const get = Effect.fn("Projects.get")(function*(id: ProjectId) {
      const actor = yield* CurrentActor
      const found = yield* repo.findById(actor.workspaceId, id)
      return yield* someOrFail(found, () => ProjectNotFound.byId(id))
    })

    const create = Effect.fn("Projects.create")(function*(input: CreateProject) {
      const actor = yield* CurrentActor
      yield* requireOwnerFor(input, "on a project")
      const now = yield* DateTime.now
      const project = yield* repo.insert(actor.workspaceId, input, DateTime.toDate(now)).pipe(
        Effect.catchTag("SqlError", (e) => isUniqueViolation(e) ? Effect.fail(nameTaken(input.name)) : Effect.die(e))
      )
      yield* events.publish(new ProjectCreated({ occurredAt: now, workspaceId: actor.workspaceId, userId: actor.userId, project }))
      return project
    }, transactional(sql))

    const update = Effect.fn("Projects.update")(function*(id: ProjectId, patch: UpdateProject) {
      const actor = yield* CurrentActor
      yield* get(id)
      yield* requireOwnerFor(patch, "on a project")
      const now = yield* DateTime.now
      const before = yield* get(id)
      const updated = yield* repo.update(actor.workspaceId, id, patch, DateTime.toDate(now)).pipe(
        Effect.catchTag("SqlError", (e) =>
          isUniqueViolation(e)
            // without a new name the clash is an unarchive: name the project's own name
            ? Effect.fail(nameTaken(patch.name ?? before.name))
            : Effect.die(e))
      )
      const project = yield* someOrFail(updated, () => ProjectNotFound.byId(id))
      const Event = project.archived && !before.archived ? ProjectArchivedEvent : ProjectUpdated
      yield* events.publish(new Event({ occurredAt: now, workspaceId: actor.workspaceId, userId: actor.userId, project }))
      return project
    }, transactional(sql))

    /**
     * The name exactly as matchProjectName's first rule means it (ignoring case), by the index on lower(name):
     * a hook names its project on every prompt, and this spares listing the workspace's projects.
     */
    const exactly = (workspaceId: WorkspaceId, name: string) =>
      Effect.map(repo.findByName(workspaceId, name.trim()), (found) =>
        Option.isSome(found) && found.value.name.toLowerCase() === name.trim().toLowerCase() ? found.value : undefined)

    /**
     * Which project a timer call means: `projectId`, else `projectName` matched loosely, else
     * `fallbackProjectId`, else (with `autoCreate`) a new project of that name.
     */
    const resolve = Effect.fn("Projects.resolve")(function*(ref: ProjectReference) {
      const actor = yield* CurrentActor
      if (ref.projectId !== undefined) return yield* get(ref.projectId).pipe(Effect.flatMap(ensureActive))
      if (ref.projectName === undefined) {
        if (ref.fallbackProjectId !== undefined) return yield* get(ref.fallbackProjectId).pipe(Effect.flatMap(ensureActive))
        return yield* new InvalidInput({ field: "projectId", message: "Give projectId or projectName" })
      }
      const name = ref.projectName
      const exact = yield* exactly(actor.workspaceId, name)
      if (exact !== undefined) return exact
      const candidates = yield* repo.list(actor.workspaceId, false)
      // A hook's folder name with autoCreate must not land on a merely similar project (repo-a vs repo-b).
      const { match, suggestions } = matchProjectName(name, candidates, { fuzzy: ref.autoCreate !== true })
      if (match) return match
      if (ref.fallbackProjectId !== undefined) return yield* get(ref.fallbackProjectId).pipe(Effect.flatMap(ensureActive))
      if (ref.autoCreate === true) {
        const now = yield* DateTime.now
        return yield* transactional(sql)(Effect.gen(function*() {
          const { created, project } = yield* repo.insertOrGet(actor.workspaceId, name, DateTime.toDate(now))
          if (created) {
            yield* events.publish(
              new ProjectCreated({ occurredAt: now, workspaceId: actor.workspaceId, userId: actor.userId, project })
            )
          }
          return project
        }))
      }
      return yield* new ProjectNotFound({
        projectName: name,
        suggestions,
        message: suggestions.length > 0
          ? `No project matches "${name}". Closest: ${suggestions.join(", ")}. Pass autoCreate: true to create it.`
          : `No project matches "${name}". Pass autoCreate: true to create it, or fallbackProjectId.`
      })
    })

    const findMatching = (name: string): Effect.Effect<Project | undefined, never, CurrentActor> =>
      Effect.gen(function*() {
        const actor = yield* CurrentActor
        const exact = yield* exactly(actor.workspaceId, name)
        if (exact !== undefined) return exact
        const candidates = yield* repo.list(actor.workspaceId, false)
        return matchProjectName(name, candidates).match
      })

    return { list, get, create, update, resolve, findMatching, requireOwnerFor } as const
  }),
  dependencies: [ProjectsRepo.Default, WorkspacesRepo.Default, Events.Default]
}) {}
