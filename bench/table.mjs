// The request-path table: each ClockMe figure next to its baseline from the same run, and their ratio.

const baselineOf = (row, rows) => {
  const same = (other) => other.database === row.database && other.connections === row.connections
  switch (row.what) {
    case "heartbeat":
    case "current":
      return rows.find((o) => same(o) && o.server === "handwritten" && o.what === row.what && o.accounts === row.accounts)
    case "health":
      return rows.find((o) => o.server === "bare" && o.connections === row.connections)
    case "mcp status":
      return rows.find((o) => same(o) && o.what === "rest status")
    default:
      return undefined
  }
}

const rate = (row) => row === undefined ? "" : `${row.rps.toFixed(0)}`
const latency = (row) => row === undefined ? "" : `${row.p50} / ${row.p99}`
const cpu = (row) => row?.cpuMs === undefined ? "" : row.cpuMs.toFixed(3)

export const requestTable = (rows) => {
  const ratios = []
  const lines = [
    "| database | request | accounts | conn. | ClockMe req/s | p50 / p99 ms | CPU ms/req | baseline | req/s | p50 / p99 ms | CPU ms/req | ratio | CPU ratio | failed |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  ]
  for (const row of rows.filter((r) => r.server === "clockme")) {
    const baseline = baselineOf(row, rows)
    const ratio = baseline === undefined ? undefined : row.rps / baseline.rps
    // baseline CPU over ClockMe's: like the throughput ratio, above 1 means ClockMe costs less
    const cpuRatio = baseline?.cpuMs === undefined || row.cpuMs === undefined ? undefined : baseline.cpuMs / row.cpuMs
    if (ratio !== undefined) {
      ratios.push({
        database: row.database,
        what: row.what,
        accounts: row.accounts,
        connections: row.connections,
        baseline: baseline.server === "clockme" ? "rest status" : baseline.server,
        ratio,
        cpuRatio
      })
    }
    // Requests in flight when a run ends are still served after it, so `recorded` may exceed `ok`, never fall short.
    const lost = row.recorded === undefined || row.recorded >= row.ok ? "" : ` (${row.ok - row.recorded} LOST)`
    lines.push(
      `| ${row.database} | ${row.what} | ${row.accounts || ""} | ${row.connections} | ${rate(row)} | ${latency(row)} | ${cpu(row)} | ` +
        `${baseline === undefined ? "" : baseline.server === "clockme" ? "REST twin" : baseline.server} | ${rate(baseline)} | ` +
        `${latency(baseline)} | ${cpu(baseline)} | ${ratio === undefined ? "" : `${ratio.toFixed(2)}×`} | ` +
        `${cpuRatio === undefined ? "" : `${cpuRatio.toFixed(2)}×`} | ${row.failed}${lost} |`
    )
  }
  return { rows, ratios, markdown: lines.join("\n") }
}
