// Child processes for the bench: servers started and awaited, timed runs, memory.
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export const freePort = () => new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address()
    probe.close(() => resolve(port))
  })
})

/** Wall time of one process from spawn to exit, in ms. */
export const timed = (args, { env = process.env, stdin = "" } = {}) => new Promise((resolve, reject) => {
  const started = performance.now()
  const child = spawn(process.execPath, args, { env, stdio: ["pipe", "ignore", "ignore"] })
  child.on("error", reject)
  child.on("exit", () => resolve(performance.now() - started))
  child.stdin.end(stdin)
})

/** Runs a process to its end; rejects with its output when it fails. */
export const run = (args, env) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  child.on("exit", (code) => code === 0 ? resolve(output) : reject(new Error(`${args.join(" ")} exited ${code}:\n${output}`)))
})

export const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024

/** Starts a server process and resolves once `url` answers: the ms it took, and the process. */
export const startAndWait = async (args, env, url) => {
  const started = performance.now()
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  let exited = false
  child.on("exit", () => (exited = true))
  for (;;) {
    if (exited) throw new Error(`${args.join(" ")} exited:\n${output}`)
    if (await fetch(url).then((r) => r.status < 500, () => false)) break
    await sleep(10)
  }
  return { ms: performance.now() - started, child, output: () => output }
}

export const stop = (child) => new Promise((resolve) => {
  if (child.exitCode !== null) return resolve()
  child.on("exit", resolve)
  child.kill("SIGTERM")
})
