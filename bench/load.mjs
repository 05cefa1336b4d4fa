// One load run with autocannon: throughput and latency of a request (or a sequence of them) against a server.
import autocannon from "autocannon"

const seconds = Number(process.env.BENCH_SECONDS ?? 5)

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
 * `keys` are used round-robin, one per request; a sequence (`requests` of several) keeps one key for the
 * whole sequence, so a start, its heartbeat and its stop are the same account's.
 */
export const load = async ({ url, connections, keys = [], requests, duration = seconds }) => {
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
  const result = await autocannon({ url, connections, duration, requests: shaped })
  await settle(url)
  return {
    connections,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts
  }
}
