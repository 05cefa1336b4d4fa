import { existsSync, realpathSync } from "node:fs"
import { delimiter, dirname, join, sep } from "node:path"

const real = (path: string) => {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** This CLI's built script; run from the sources (tsx), the build next to them. */
export const builtScript = (argv1: string | undefined = process.argv[1]): string | undefined => {
  if (argv1 === undefined) return undefined
  const self = real(argv1)
  return /\.[cm]?ts$/.test(self) ? join(dirname(self), "..", "..", "dist", "cli.js") : self
}

/**
 * The command hooks run, valid wherever the tool starts them: `clockme` when the `clockme` on
 * PATH is this very script (a global install), else this Node and this script's absolute path.
 * `node_modules/.bin` folders are skipped: npx and npm scripts put them on PATH only for now.
 */
export const installedCommand = (): string => {
  const self = builtScript()
  if (self === undefined) return "clockme"
  const bin = process.platform === "win32" ? "clockme.cmd" : "clockme"
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "" || dir.split(sep).join("/").includes("node_modules/.bin")) continue
    const candidate = join(dir, bin)
    if (existsSync(candidate) && real(candidate) === self) return "clockme"
  }
  return `"${process.execPath}" "${self}"`
}
