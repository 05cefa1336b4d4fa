// The server's own CPU time per report request (user + system, from /proc), which a busy machine disturbs
// less than wall time: the same requests as reports.mjs, one after another.
import { readFileSync } from "node:fs"

const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return Number(fields[11]) + Number(fields[12])
}
const day = (date) => date.toISOString().slice(0, 10)
const daysBefore = (date, days) => day(new Date(date.getTime() - days * 86400_000))

export const clockmeCpuTimes = async ({ base, pid, history, end, runs }) => {
  const key = (history.users[1] ?? history.users[0]).key
  const to = daysBefore(end, 1)
  const urls = {
    "report month": `/api/reports?groupBy=project&from=${daysBefore(end, 30)}&to=${to}`,
    "report year": `/api/reports?groupBy=project&from=${daysBefore(end, 365)}&to=${to}`,
    "report year by day": `/api/reports?groupBy=day&from=${daysBefore(end, 365)}&to=${to}`,
    "page of 500": "/api/entries?limit=500"
  }
  const times = {}
  for (const [what, url] of Object.entries(urls)) {
    const before = ticks(pid)
    for (let i = 0; i < runs; i++) {
      const response = await fetch(base + url, { headers: { authorization: `Bearer ${key}` } })
      if (!response.ok) throw new Error(`${url}: ${response.status}`)
      await response.arrayBuffer()
    }
    times[what] = ((ticks(pid) - before) * 10) / runs
  }
  return times
}
