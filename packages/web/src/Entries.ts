import type { Entry } from "@clockme/domain/contract/Entry"
import type { Project } from "@clockme/domain/contract/Project"
import { Either } from "effect"
import { call } from "./Client.js"
import type { Failure } from "./Client.js"

/** Every entry of yours from `from` to `to` (days in your timezone), all pages. */
export const entriesBetween = async (from: string, to: string): Promise<Either.Either<ReadonlyArray<Entry>, Failure>> => {
  const all: Array<Entry> = []
  let cursor: string | undefined
  for (;;) {
    const urlParams = { from, to, limit: 500, ...(cursor === undefined ? {} : { cursor }) }
    const page = await call((api) => api.entries.list({ urlParams }))
    if (Either.isLeft(page)) return Either.left(page.left)
    all.push(...page.right.entries)
    if (page.right.nextCursor === null) return Either.right(all)
    cursor = page.right.nextCursor
  }
}

/** The workspace's projects, archived ones too (entries may name them). */
export const allProjects = () => call((api) => api.projects.list({ urlParams: { includeArchived: true } }))

export const projectNames = (projects: ReadonlyArray<Project>) => new Map(projects.map((project) => [project.id, project.name]))
