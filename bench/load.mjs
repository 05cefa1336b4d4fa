// One load run with autocannon: throughput and latency of a request (or a sequence of them) against a server.
import { readFileSync } from "node:fs"
import autocannon from "autocannon"

const seconds = Number(process.env.BENCH_SECONDS ?? 5)

/** CPU milliseconds (user + system) a process has used: what a request costs, however busy the machine is. */
const cpuMillis = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * Waits until the server answers at once again: requests a run left queued (the embedded database runs on the
 * server's own thread) must not be billed to the next run. Gives up after 30 s.
 */
const settle = async (url) => {
  const until = Date.now() + 30_000
  while (Date.now() < until) {
    const started = performance.now()
    await fetch(`${url}/api/health`).then((r) => r.arrayBuffer(), () => undefined)
    if (performance.now() - started < 20) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/**
 * `pid`: the server's process, whose CPU time per request is measured too. `keys` are used round-robin, one per request; a sequence (`requests` of several) keeps one key for the
 * whole sequence, so a start, its heartbeat and its stop are the same account's.
 */
export const load = async ({ url, connections, keys = [], requests, duration = seconds, pid }) => {
  let next = 0
  const auth = (headers, key) => key === undefined ? headers : { ...headers, authorization: `Bearer ${key}` }
  const shaped = requests.map(({ method = "GET", path, body, headers = {} }, index) => ({
    method,
    path,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    setupRequest: (request, context) => {
      if (index === 0) context.key = keys.length === 0 ? undefined : keys[next++ % keys.length]
      return { ...request, headers: auth(request.headers, context.key) }
    }
  }))
  const cpuBefore = pid === undefined ? undefined : cpuMillis(pid)
  const result = await autocannon({ url, connections, duration, requests: shaped })
  await settle(url)
  const cpu = cpuBefore === undefined ? undefined : cpuMillis(pid) - cpuBefore
  return {
    connections,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    // the server's CPU per answered request, in ms (the queue a run left behind is settled and counted)
    ...(cpu === undefined ? {} : { cpuMs: cpu / Math.max(1, result["2xx"] + result.non2xx) })
  }
}
