import type { Dashboard } from "@clockme/domain/contract/Dashboard"
import type { Entry } from "@clockme/domain/contract/Entry"
import type { Project } from "@clockme/domain/contract/Project"
import type { ReportLine } from "@clockme/domain/contract/Report"
import { DateTime, Either } from "effect"
import { useEffect, useState } from "preact/hooks"
import "../views.css"
import { BarChart } from "../Chart.js"
import { call } from "../Client.js"
import { allProjects, entriesBetween, projectNames } from "../Entries.js"
import { Field, Notice, Select } from "../Form.js"
import { addDays, dayLabel, dayOf, daysBetween, hoursMinutes, instantOf, timeOf } from "../Time.js"

const startOf = (entry: Entry) => DateTime.toEpochMillis(entry.startTime)
const endOf = (entry: Entry) => DateTime.toEpochMillis(entry.endTime)
const total = (entries: ReadonlyArray<Entry>) => entries.reduce((sum, entry) => sum + entry.durationSeconds, 0)

/** Your entries of one week (your week start and timezone), with the day and week totals. */
export const Week = () => {
  const [dashboard, setDashboard] = useState<Dashboard | null>(null)
  const [projects, setProjects] = useState<ReadonlyArray<Project>>([])
  const [offset, setOffset] = useState(0)
  const [entries, setEntries] = useState<ReadonlyArray<Entry> | null>(null)
  const [month, setMonth] = useState<ReadonlyArray<ReportLine>>([])
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  const reload = () => setVersion((n) => n + 1)

  useEffect(() => {
    void call((api) => api.dashboard.get()).then((result) =>
      Either.isLeft(result) ? setError(result.left.message) : setDashboard(result.right))
    void allProjects().then((result) => Either.isRight(result) && setProjects(result.right))
  }, [])

  const from = dashboard === null ? null : addDays(dashboard.week.from, 7 * offset)
  const to = dashboard === null ? null : addDays(dashboard.week.to, 7 * offset)

  useEffect(() => {
    if (from === null || to === null || dashboard === null) return
    setEntries(null)
    void entriesBetween(from, to).then((result) =>
      Either.isLeft(result) ? setError(result.left.message) : setEntries(result.right))
    const today = dashboard.today.from
    void call((api) => api.reports.billing({ urlParams: { from: `${today.slice(0, 8)}01`, to: today, groupBy: "project" }, headers: {} }))
      .then((result) => Either.isRight(result) && setMonth(result.right.projects))
  }, [from, to, version])

  if (dashboard === null || from === null || to === null) {
    return <section><h1>Week</h1>{error !== null ? <Notice kind="error">{error}</Notice> : <p class="muted">Loading…</p>}</section>
  }
  const timezone = dashboard.timezone
  const names = projectNames(projects)
  const days = daysBetween(from, to)
  const byDay = new Map(days.map((day) => [day, [] as Array<Entry>]))
  for (const entry of entries ?? []) byDay.get(dayOf(startOf(entry), timezone))?.push(entry)
  for (const list of byDay.values()) list.sort((a, b) => startOf(a) - startOf(b))

  return (
    <section aria-labelledby="week-title">
      <h1 id="week-title">Week</h1>
      <div class="week-nav">
        <button type="button" onClick={() => setOffset(offset - 1)} aria-label="Previous week">‹ Previous</button>
        <h2 aria-live="polite">{dayLabel(from)} – {dayLabel(to)}</h2>
        <button type="button" onClick={() => setOffset(offset + 1)} aria-label="Next week">Next ›</button>
        {offset !== 0 && <button type="button" onClick={() => setOffset(0)}>This week</button>}
      </div>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <LogTime projects={projects.filter((project) => !project.archived)} timezone={timezone} day={offset === 0 ? dashboard.today.from : from} onLogged={reload} />
      {entries === null ? <p class="muted">Loading…</p> : (
        <>
          <p class="week-total">Week total <strong data-testid="week-total">{hoursMinutes(total(entries))}</strong> h</p>
          <ol class="days">
            {days.map((day) => {
              const list = byDay.get(day) ?? []
              return (
                <li key={day} class="day" aria-labelledby={`day-${day}`}>
                  <div class="day-head">
                    <h3 id={`day-${day}`}>{dayLabel(day)}</h3>
                    <span class="day-total" aria-label={`${dayLabel(day)} total`}>{hoursMinutes(total(list))}</span>
                  </div>
                  {list.length === 0 ? <p class="muted">No time.</p> : (
                    <ul class="entries">
                      {list.map((entry) => (
                        <EntryRow key={entry.id} entry={entry} projects={projects} projectName={names.get(entry.projectId) ?? "?"} timezone={timezone} onChanged={reload} />
                      ))}
                    </ul>
                  )}
                </li>
              )
            })}
          </ol>
          <div class="charts">
            <BarChart title="Hours per day" labels={days.map((day) => dayLabel(day).slice(0, 3))} values={days.map((day) => total(byDay.get(day) ?? []) / 3600)} />
            <BarChart title="Hours per project this month" labels={month.map((line) => line.projectName ?? "?")} values={month.map((line) => line.hours)} />
          </div>
        </>
      )}
    </section>
  )
}

const projectOptions = (projects: ReadonlyArray<Project>) => projects.map((project) => ({ value: project.id, label: project.name }))

/** Logging a block of time by hand: a day, a start and a length. */
const LogTime = (props: {
  readonly projects: ReadonlyArray<Project>
  readonly timezone: string
  readonly day: string
  readonly onLogged: () => void
}) => {
  const [projectId, setProjectId] = useState("")
  const [day, setDay] = useState(props.day)
  const [start, setStart] = useState("09:00")
  const [minutes, setMinutes] = useState("60")
  const [description, setDescription] = useState("")
  const [result, setResult] = useState<{ readonly kind: "error" | "info"; readonly text: string } | null>(null)
  useEffect(() => setDay(props.day), [props.day])
  const chosen = projectId !== "" ? projectId : props.projects[0]?.id

  const submit = async (event: Event) => {
    event.preventDefault()
    if (chosen === undefined) return setResult({ kind: "error", text: "Create a project first (Projects page)." })
    const outcome = await call((api) =>
      api.entries.create({
        payload: {
          projectId: chosen as Project["id"],
          startTime: DateTime.unsafeMake(instantOf(day, start, props.timezone)),
          durationMinutes: Number(minutes),
          source: "web",
          ...(description.trim() === "" ? {} : { description: description.trim() })
        },
        headers: {}
      }))
    if (Either.isLeft(outcome)) return setResult({ kind: "error", text: outcome.left.message })
    setResult({ kind: "info", text: `Logged ${hoursMinutes(outcome.right.durationSeconds)} h.` })
    setDescription("")
    props.onLogged()
  }

  return (
    <form class="card log-time" onSubmit={submit} aria-label="Log time">
      <h2>Log time</h2>
      <div class="row">
        <Select label="Project" name="projectId" value={chosen ?? ""} options={projectOptions(props.projects)} onInput={setProjectId} />
        <Field label="Day" name="day" type="date" required value={day} onInput={setDay} />
        <Field label="Start" name="start" type="time" required value={start} onInput={setStart} />
        <Field label="Minutes" name="minutes" type="number" min="0.02" max="1440" step="any" required value={minutes} onInput={setMinutes} />
      </div>
      <Field label="Description" name="description" value={description} onInput={setDescription} />
      <button type="submit" class="primary">Log time</button>
      {result !== null && <Notice kind={result.kind}>{result.text}</Notice>}
    </form>
  )
}

/** One entry: its times, project and description, edited in place or deleted. */
const EntryRow = (props: {
  readonly entry: Entry
  readonly projects: ReadonlyArray<Project>
  readonly projectName: string
  readonly timezone: string
  readonly onChanged: () => void
}) => {
  const { entry, timezone } = props
  const [editing, setEditing] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [projectId, setProjectId] = useState<string>(entry.projectId)
  const [day, setDay] = useState(dayOf(startOf(entry), timezone))
  const [start, setStart] = useState(timeOf(startOf(entry), timezone))
  const [minutes, setMinutes] = useState(String(Math.round(entry.durationSeconds / 6) / 10))
  const [description, setDescription] = useState(entry.description ?? "")
  const label = `${props.projectName} at ${timeOf(startOf(entry), timezone)}`

  const save = async (event: Event) => {
    event.preventDefault()
    const outcome = await call((api) =>
      api.entries.update({
        path: { id: entry.id },
        payload: {
          ...(projectId === entry.projectId ? {} : { projectId: projectId as Project["id"] }),
          startTime: DateTime.unsafeMake(instantOf(day, start, timezone)),
          durationMinutes: Number(minutes),
          description: description.trim() === "" ? null : description.trim()
        }
      }))
    if (Either.isLeft(outcome)) return setError(outcome.left.message)
    setEditing(false)
    props.onChanged()
  }
  const remove = async () => {
    const outcome = await call((api) => api.entries.delete({ path: { id: entry.id } }))
    if (Either.isLeft(outcome)) return setError(outcome.left.message)
    props.onChanged()
  }

  return (
    <li class="entry">
      {editing ? (
        <form onSubmit={save} aria-label={`Edit ${label}`}>
          <div class="row">
            <Select label="Project" name="projectId" value={projectId} options={projectOptions(props.projects)} onInput={setProjectId} />
            <Field label="Day" name="day" type="date" required value={day} onInput={setDay} />
            <Field label="Start" name="start" type="time" required value={start} onInput={setStart} />
            <Field label="Minutes" name="minutes" type="number" min="0.02" max="1440" step="any" required value={minutes} onInput={setMinutes} />
          </div>
          <Field label="Description" name="description" value={description} onInput={setDescription} />
          <div class="actions">
            <button type="submit" class="primary">Save</button>
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          </div>
        </form>
      ) : (
        <div class="entry-line">
          <span class="when">{timeOf(startOf(entry), timezone)}–{timeOf(endOf(entry), timezone)}</span>
          <span class="what"><strong>{props.projectName}</strong>{entry.description !== null && ` · ${entry.description}`}</span>
          <span class="duration">{hoursMinutes(entry.durationSeconds)}</span>
          <span class="actions">
            <button type="button" onClick={() => setEditing(true)} aria-label={`Edit ${label}`}>Edit</button>
            {confirming
              ? <button type="button" class="danger" onClick={remove} aria-label={`Really delete ${label}`}>Really delete</button>
              : <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${label}`}>Delete</button>}
          </span>
        </div>
      )}
      {error !== null && <Notice kind="error">{error}</Notice>}
    </li>
  )
}
