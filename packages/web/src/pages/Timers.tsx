import type { TimerView } from "@clockme/domain/contract/Timer"
import { DateTime, Either } from "effect"
import { useEffect, useState } from "preact/hooks"
import { call } from "../Client.js"
import { Field, Notice } from "../Form.js"

/** How often the page asks for new events (a timer a hook started, a stop elsewhere). */
const POLL_MS = 3000

const clock = (seconds: number) => {
  const whole = Math.max(0, Math.floor(seconds))
  const pad = (n: number) => String(n).padStart(2, "0")
  return `${Math.floor(whole / 3600)}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}`
}

const ago = (at: DateTime.Utc, now: number) => {
  const seconds = Math.max(0, Math.round((now - DateTime.toEpochMillis(at)) / 1000))
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  return `${Math.floor(seconds / 3600)} h ago`
}

/** The running timers, asked again whenever the event stream moves. */
const useTimers = () => {
  const [timers, setTimers] = useState<{ readonly list: ReadonlyArray<TimerView>; readonly at: number } | null>(null)
  const [error, setError] = useState<string | null>(null)

  const reload = async () => {
    const result = await call((api) => api.timer.current())
    if (Either.isLeft(result)) return setError(result.left.message)
    setError(null)
    setTimers({ list: result.right.timers, at: Date.now() })
  }

  useEffect(() => {
    let cursor: string | undefined
    let stopped = false
    let timeout: ReturnType<typeof setTimeout> | undefined
    const follow = async () => {
      const result = await call((api) => api.events.list({ urlParams: cursor === undefined ? {} : { after: cursor } }))
      if (stopped) return
      if (Either.isRight(result)) {
        const moved = cursor !== undefined && result.right.events.length > 0
        cursor = result.right.nextCursor
        if (result.right.hasMore) return void follow()
        if (moved) await reload()
      }
      timeout = setTimeout(() => void follow(), POLL_MS)
    }
    void reload().then(follow)
    return () => {
      stopped = true
      clearTimeout(timeout)
    }
  }, [])
  return { timers, error, reload }
}

const useNow = () => {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const interval = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(interval)
  }, [])
  return now
}

export const Timers = () => {
  const { error, reload, timers } = useTimers()
  const now = useNow()
  const [projectName, setProjectName] = useState("")
  const [actionError, setActionError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const act = async (run: () => Promise<Either.Either<unknown, { readonly message: string }>>) => {
    setBusy(true)
    const result = await run()
    setBusy(false)
    setActionError(Either.isLeft(result) ? result.left.message : null)
    await reload()
    return Either.isRight(result)
  }

  const start = async (event: Event) => {
    event.preventDefault()
    const started = await act(() =>
      call((api) => api.timer.start({ payload: { projectName: projectName.trim(), autoCreate: true, source: "web" }, headers: {} }))
    )
    if (started) setProjectName("")
  }
  const ref = (timer: TimerView) => ({ payload: { projectId: timer.projectId }, headers: {} })

  return (
    <section aria-labelledby="timers-title">
      <h1 id="timers-title">Timers</h1>
      <form class="quick-start" onSubmit={start}>
        <Field label="Project" name="projectName" required value={projectName} onInput={setProjectName} />
        <button type="submit" class="primary" disabled={busy}>Start</button>
      </form>
      {actionError !== null && <Notice kind="error">{actionError}</Notice>}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {timers === null ? <p class="muted">Loading…</p> : timers.list.length === 0
        ? <p class="muted">Nothing is being tracked. Start a timer above, or let your AI tool's hooks start one.</p>
        : (
          <ul class="timers" aria-label="Running and paused timers">
            {timers.list.map((timer) => {
              const elapsed = timer.elapsedSeconds + (timer.state === "running" ? (now - timers.at) / 1000 : 0)
              return (
                <li key={timer.id} class={`timer ${timer.state}`}>
                  <div class="timer-head">
                    <h2>{timer.projectName}</h2>
                    <span class="elapsed" role="timer" aria-label={`Elapsed ${clock(elapsed)}`}>{clock(elapsed)}</span>
                  </div>
                  {timer.description !== null && <p>{timer.description}</p>}
                  <dl class="evidence">
                    <div><dt>State</dt><dd>{timer.state}</dd></div>
                    <div><dt>Tool</dt><dd>{timer.source}</dd></div>
                    <div><dt>Last activity</dt><dd>{ago(timer.lastActivityAt, now)}</dd></div>
                    <div><dt>Sessions</dt><dd>{timer.sessions}</dd></div>
                    <div><dt>Heartbeats</dt><dd>{timer.heartbeats}</dd></div>
                    <div><dt>AI requests</dt><dd>{timer.usage.requests}</dd></div>
                    {timer.usage.models.length > 0 && <div><dt>Models</dt><dd>{timer.usage.models.join(", ")}</dd></div>}
                  </dl>
                  <div class="actions">
                    {timer.state === "running"
                      ? <button type="button" disabled={busy} onClick={() => act(() => call((api) => api.timer.pause(ref(timer))))} aria-label={`Pause ${timer.projectName}`}>Pause</button>
                      : <button type="button" disabled={busy} onClick={() => act(() => call((api) => api.timer.resume(ref(timer))))} aria-label={`Resume ${timer.projectName}`}>Resume</button>}
                    <button type="button" disabled={busy} onClick={() => act(() => call((api) => api.timer.stop(ref(timer))))} aria-label={`Stop ${timer.projectName}`}>Stop</button>
                  </div>
                </li>
              )
            })}
          </ul>
        )}
    </section>
  )
}
