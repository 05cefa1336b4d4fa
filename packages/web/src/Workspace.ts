import type { WorkspaceSummaryItem } from "@clockme/domain/contract/Workspace"
import { Either } from "effect"
import { useEffect, useState } from "preact/hooks"
import { call } from "./Client.js"

/** The active workspace with the person's role in it; null until known. */
export const useActiveWorkspace = () => {
  const [workspace, setWorkspace] = useState<WorkspaceSummaryItem | null>(null)
  useEffect(() => {
    void call((api) => api.workspaces.list()).then((result) => {
      if (Either.isRight(result)) setWorkspace(result.right.find((candidate) => candidate.active) ?? null)
    })
  }, [])
  return workspace
}

/** Rates, budgets, billable and archiving: owners only in a shared workspace (the server refuses the rest). */
export const mayManage = (workspace: WorkspaceSummaryItem | null) =>
  workspace !== null && (workspace.kind === "personal" || workspace.role === "owner")
