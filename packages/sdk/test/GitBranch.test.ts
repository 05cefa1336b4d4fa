import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gitBranchOf, projectNameFor } from "../src/cli/Project.js"

const repo = (root: string, head: string) => {
  mkdirSync(join(root, ".git"), { recursive: true })
  writeFileSync(join(root, ".git", "HEAD"), head)
  return root
}

describe("gitBranchOf: the branch from .git/HEAD, without git", () => {
  it("a repository, from its root or any folder below; a branch with slashes", () => {
    const root = repo(mkdtempSync(join(tmpdir(), "clockme-git-")), "ref: refs/heads/feature/login-form\n")
    mkdirSync(join(root, "src", "deep"), { recursive: true })
    expect(gitBranchOf(root)).toBe("feature/login-form")
    expect(gitBranchOf(join(root, "src", "deep"))).toBe("feature/login-form")
  })

  it("a worktree: the .git file's gitdir, relative or absolute", () => {
    const base = mkdtempSync(join(tmpdir(), "clockme-git-"))
    const main = repo(join(base, "main"), "ref: refs/heads/main\n")
    const admin = join(main, ".git", "worktrees", "wt")
    mkdirSync(admin, { recursive: true })
    writeFileSync(join(admin, "HEAD"), "ref: refs/heads/fix-login\n")
    const relative = join(base, "wt")
    mkdirSync(relative)
    writeFileSync(join(relative, ".git"), "gitdir: ../main/.git/worktrees/wt\n")
    const absolute = join(base, "wt2")
    mkdirSync(absolute)
    writeFileSync(join(absolute, ".git"), `gitdir: ${admin}\n`)
    expect(gitBranchOf(relative)).toBe("fix-login")
    expect(gitBranchOf(absolute)).toBe("fix-login")
    expect(gitBranchOf(main)).toBe("main")
    expect([projectNameFor(relative), projectNameFor(absolute)]).toEqual(["main", "main"])
  })

  it("a detached HEAD, a broken .git file, no repository, a missing folder: no branch, never a throw", () => {
    const base = mkdtempSync(join(tmpdir(), "clockme-git-"))
    expect(gitBranchOf(repo(join(base, "detached"), "0123456789abcdef0123456789abcdef01234567\n"))).toBeUndefined()
    mkdirSync(join(base, "broken"))
    writeFileSync(join(base, "broken", ".git"), "not a pointer")
    expect(gitBranchOf(join(base, "broken"))).toBeUndefined()
    mkdirSync(join(base, "dangling"))
    writeFileSync(join(base, "dangling", ".git"), "gitdir: /nonexistent/worktree")
    expect(gitBranchOf(join(base, "dangling"))).toBeUndefined()
    expect(gitBranchOf(join(base, "nowhere", "at", "all"))).toBeUndefined()
  })
})
