import { existsSync, readFileSync, statSync } from "node:fs"
import { basename, dirname, join, resolve } from "node:path"

const gitRoot = (start: string): string | undefined => {
  let dir = resolve(start)
  for (;;) {
    if (existsSync(join(dir, ".git"))) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

const remoteName = (gitDir: string): string | undefined => {
  try {
    const config = readFileSync(join(gitDir, "config"), "utf8")
    const origin = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(config)?.[1]
    if (!origin) return undefined
    const name = origin.replace(/\/+$/, "").split(/[/:]/).pop()?.replace(/\.git$/, "")
    return name || undefined
  } catch {
    return undefined
  }
}

/** A checkout's own git directory, where its HEAD is: `.git`, or where a worktree's `.git` file points. */
const headDirOf = (root: string): string => {
  const dotGit = join(root, ".git")
  try {
    if (statSync(dotGit).isFile()) {
      const target = /gitdir:\s*(.+)/.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim()
      if (target) return resolve(root, target)
    }
  } catch {
    // fall through to the plain layout
  }
  return dotGit
}

/** The `.git` directory of a repository root; a worktree's `.git` file points into the main repository. */
const gitDirOf = (root: string): { readonly dir: string; readonly mainRoot: string } => {
  const own = headDirOf(root)
  if (own === join(root, ".git")) return { dir: own, mainRoot: root }
  const common = own.includes(`${join(".git", "worktrees")}`) ? own.slice(0, own.indexOf(join(".git", "worktrees")) + 4) : own
  return { dir: common, mainRoot: dirname(common) }
}

/**
 * The branch checked out where `folder` is, read from its HEAD file (a worktree's own) without running git;
 * undefined for a detached HEAD, no repository, or anything unreadable.
 */
export const gitBranchOf = (folder: string): string | undefined => {
  try {
    const root = gitRoot(folder)
    if (root === undefined) return undefined
    const branch = /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(readFileSync(join(headDirOf(root), "HEAD"), "utf8"))?.[1]
    return branch === undefined || branch.length > 255 ? undefined : branch
  } catch {
    return undefined
  }
}

/**
 * The project a folder means: inside a git repository, the repository's name (from the origin
 * remote, else the main checkout's folder, so worktrees count as the repository); otherwise the
 * folder's own name.
 */
export const projectNameFor = (folder: string): string => {
  const root = gitRoot(folder)
  if (root === undefined) return basename(resolve(folder)) || "default"
  const { dir, mainRoot } = gitDirOf(root)
  return remoteName(dir) ?? (basename(mainRoot) || "default")
}
