/**
 * What was piped to the command, read for at most `limitMs` and 1 MB; a terminal gives "". The command
 * never waits longer for input that does not come (a hook must not block its tool).
 */
export const readStdin = (limitMs: number): Promise<string> => {
  if (process.stdin.isTTY) return Promise.resolve("")
  return new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const done = () => {
      clearTimeout(timer)
      process.stdin.removeAllListeners()
      process.stdin.pause()
      resolve(Buffer.concat(chunks).toString("utf8"))
    }
    const timer = setTimeout(done, limitMs)
    process.stdin.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > 1_000_000) done()
    })
    process.stdin.on("end", done)
    process.stdin.on("error", done)
  })
}
