import type { ProjectBudget } from "@clockme/domain/contract/Budget"
import type { Project } from "@clockme/domain/contract/Project"
import type { Task } from "@clockme/domain/contract/Task"
import { Either } from "effect"
import { useEffect, useState } from "preact/hooks"
import "../views.css"
import { call } from "../Client.js"
import { allProjects } from "../Entries.js"
import { Check, Field, Notice, Select } from "../Form.js"
import { mayManage, useActiveWorkspace } from "../Workspace.js"

type Money = NonNullable<Project["hourlyRate"]>

/** "" is none; anything else a number the contract checks (two decimals, not negative). */
const amountOrNull = (text: string): Money | null => (text.trim() === "" ? null : Number(text.replace(",", ".")) as Money)
const textOf = (value: number | null) => (value === null ? "" : String(value))

interface Settings {
  readonly name: string
  readonly hourlyRate: string
  readonly budgetHours: string
  readonly budgetAmount: string
  readonly budgetPeriod: "none" | "monthly"
  readonly budgetHardCap: boolean
  readonly billable: boolean
}

const settingsOf = (project: Project | null): Settings => ({
  name: project?.name ?? "",
  hourlyRate: textOf(project?.hourlyRate ?? null),
  budgetHours: textOf(project?.budgetHours ?? null),
  budgetAmount: textOf(project?.budgetAmount ?? null),
  budgetPeriod: project?.budgetPeriod ?? "none",
  budgetHardCap: project?.budgetHardCap ?? false,
  billable: project?.billable ?? true
})

/** What a member may send (name) and what only owners may (rates, budgets, billable). */
const payloadOf = (settings: Settings, manage: boolean) => ({
  name: settings.name.trim(),
  ...(manage
    ? {
      hourlyRate: amountOrNull(settings.hourlyRate),
      budgetHours: amountOrNull(settings.budgetHours),
      budgetAmount: amountOrNull(settings.budgetAmount),
      budgetPeriod: settings.budgetPeriod,
      budgetHardCap: settings.budgetHardCap,
      billable: settings.billable
    }
    : {})
})

export const Projects = () => {
  const workspace = useActiveWorkspace()
  const manage = mayManage(workspace)
  const [projects, setProjects] = useState<ReadonlyArray<Project> | null>(null)
  const [showArchived, setShowArchived] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  const reload = () => setVersion((n) => n + 1)

  useEffect(() => {
    void allProjects().then((result) => Either.isLeft(result) ? setError(result.left.message) : setProjects(result.right))
  }, [version])

  const shown = (projects ?? []).filter((project) => showArchived || !project.archived)
  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      {workspace !== null && !manage && (
        <p class="muted">Only the workspace's owners change rates, budgets, billable and archiving; you may rename projects and add tasks.</p>
      )}
      <ProjectForm title="New project" manage={manage} project={null} onSaved={reload} />
      {error !== null && <Notice kind="error">{error}</Notice>}
      <Check label="Show archived projects" name="showArchived" checked={showArchived} onInput={setShowArchived} />
      {projects === null ? <p class="muted">Loading…</p> : shown.length === 0 ? <p class="muted">No projects yet.</p> : (
        <ul class="projects" aria-label="Projects">
          {shown.map((project) => (
            <ProjectCard key={`${project.id}-${project.updatedAt.epochMillis}`} project={project} manage={manage} currency={workspace?.currency ?? ""} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  )
}

/** Creating a project, or editing one: owner-only fields are disabled for members. */
const ProjectForm = (props: {
  readonly title: string
  readonly manage: boolean
  readonly project: Project | null
  readonly onSaved: () => void
  readonly onCancel?: () => void
}) => {
  const [settings, setSettings] = useState(settingsOf(props.project))
  const [error, setError] = useState<string | null>(null)
  const set = <K extends keyof Settings>(key: K) => (value: Settings[K]) => setSettings({ ...settings, [key]: value })
  const locked = !props.manage

  const submit = async (event: Event) => {
    event.preventDefault()
    const payload = payloadOf(settings, props.manage)
    const project = props.project
    const outcome = project === null
      ? await call((api) => api.projects.create({ payload }))
      : await call((api) => api.projects.update({ path: { id: project.id }, payload }))
    if (Either.isLeft(outcome)) return setError(outcome.left.message)
    setError(null)
    if (project === null) setSettings(settingsOf(null))
    props.onSaved()
  }

  return (
    <form class="card" onSubmit={submit} aria-label={props.title}>
      <h2>{props.title}</h2>
      <div class="row">
        <Field label="Name" name="name" required value={settings.name} onInput={set("name")} />
        <Field label="Hourly rate" name="hourlyRate" type="number" min="0" step="0.01" disabled={locked} value={settings.hourlyRate} onInput={set("hourlyRate")} />
      </div>
      <div class="row">
        <Field label="Budget hours" name="budgetHours" type="number" min="0" step="0.01" disabled={locked} value={settings.budgetHours} onInput={set("budgetHours")} />
        <Field label="Budget amount" name="budgetAmount" type="number" min="0" step="0.01" disabled={locked} value={settings.budgetAmount} onInput={set("budgetAmount")} />
        <Select
          label="Budget period"
          name="budgetPeriod"
          disabled={locked}
          value={settings.budgetPeriod}
          options={[{ value: "none", label: "All time" }, { value: "monthly", label: "Each month" }]}
          onInput={(value) => set("budgetPeriod")(value === "monthly" ? "monthly" : "none")}
        />
      </div>
      <div class="row">
        <Check label="Refuse new time once the budget is spent" name="budgetHardCap" disabled={locked} checked={settings.budgetHardCap} onInput={set("budgetHardCap")} />
        <Check label="Billable" name="billable" disabled={locked} checked={settings.billable} onInput={set("billable")} />
      </div>
      <div class="actions">
        <button type="submit" class="primary">{props.project === null ? "Create project" : "Save"}</button>
        {props.onCancel !== undefined && <button type="button" onClick={props.onCancel}>Cancel</button>}
      </div>
      {error !== null && <Notice kind="error">{error}</Notice>}
    </form>
  )
}

const BudgetBar = (props: { readonly label: string; readonly usage: ProjectBudget["hours"]; readonly status: string; readonly unit: string }) => {
  const { limit, percent, used } = props.usage
  if (limit === null) return null
  const state = (percent ?? 0) >= 100 ? "over" : (percent ?? 0) >= 80 ? "warning" : "ok"
  return (
    <div class={`budget ${state}`}>
      <span>{props.label}</span>
      <meter min={0} max={limit} low={limit * 0.8} high={limit * 0.999} optimum={0} value={Math.min(used, limit)} aria-label={`${props.label} budget used`}>
        {percent}%
      </meter>
      <span class="state">
        {used.toFixed(2)} / {limit} {props.unit} · {percent}%{state === "over" ? " · over budget" : state === "warning" ? " · warning" : ""}
      </span>
    </div>
  )
}

const ProjectCard = (props: {
  readonly project: Project
  readonly manage: boolean
  readonly currency: string
  readonly onChanged: () => void
}) => {
  const { project } = props
  const [editing, setEditing] = useState(false)
  const [budget, setBudget] = useState<ProjectBudget | null>(null)
  const [error, setError] = useState<string | null>(null)
  const hasBudget = project.budgetHours !== null || project.budgetAmount !== null

  useEffect(() => {
    if (!hasBudget) return
    void call((api) => api.budgets.get({ path: { id: project.id } })).then((result) =>
      Either.isLeft(result) ? setError(result.left.message) : setBudget(result.right))
  }, [])

  const archive = async () => {
    const outcome = await call((api) => api.projects.update({ path: { id: project.id }, payload: { archived: !project.archived } }))
    if (Either.isLeft(outcome)) return setError(outcome.left.message)
    props.onChanged()
  }

  return (
    <li class={`project${project.archived ? " archived" : ""}`} aria-labelledby={`project-${project.id}`}>
      <div class="project-head">
        <h2 id={`project-${project.id}`}>{project.name}{project.archived && " (archived)"}</h2>
        <span class="muted">
          {project.hourlyRate === null ? "No rate" : `${project.hourlyRate} ${props.currency}/h`} · {project.billable ? "billable" : "not billable"}
        </span>
      </div>
      {budget !== null && (
        <>
          <BudgetBar label="Hours" usage={budget.hours} status={budget.status} unit="h" />
          <BudgetBar label="Amount" usage={budget.amount} status={budget.status} unit={budget.currency} />
          {budget.exhausted && <Notice kind="error">The budget is spent and its hard cap refuses new time.</Notice>}
        </>
      )}
      <div class="actions">
        <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing} aria-label={`Edit ${project.name}`}>Edit</button>
        {props.manage && (
          <button type="button" onClick={archive} aria-label={`${project.archived ? "Restore" : "Archive"} ${project.name}`}>
            {project.archived ? "Restore" : "Archive"}
          </button>
        )}
      </div>
      {error !== null && <Notice kind="error">{error}</Notice>}
      {editing && (
        <ProjectForm title={`Edit ${project.name}`} manage={props.manage} project={project} onSaved={props.onChanged} onCancel={() => setEditing(false)} />
      )}
      <Tasks project={project} />
    </li>
  )
}

/** A project's tasks: created and completed here. */
const Tasks = (props: { readonly project: Project }) => {
  const [tasks, setTasks] = useState<ReadonlyArray<Task> | null>(null)
  const [name, setName] = useState("")
  const [error, setError] = useState<string | null>(null)
  const load = () =>
    void call((api) => api.tasks.list({ urlParams: { projectId: props.project.id, status: "all" } })).then((result) =>
      Either.isLeft(result) ? setError(result.left.message) : setTasks(result.right))

  const create = async (event: Event) => {
    event.preventDefault()
    const outcome = await call((api) => api.tasks.create({ payload: { projectId: props.project.id, name: name.trim() } }))
    if (Either.isLeft(outcome)) return setError(outcome.left.message)
    setError(null)
    setName("")
    load()
  }
  const complete = async (task: Task) => {
    const outcome = await call((api) => api.tasks.complete({ path: { id: task.id } }))
    if (Either.isLeft(outcome)) return setError(outcome.left.message)
    load()
  }

  return (
    <details onToggle={(event) => event.currentTarget.open && tasks === null && load()}>
      <summary>Tasks of {props.project.name}</summary>
      {tasks !== null && (tasks.length === 0 ? <p class="muted">No tasks yet.</p> : (
        <ul class="tasks">
          {tasks.map((task) => (
            <li key={task.id}>
              <span class={task.status === "complete" ? "complete" : ""}>{task.name}</span>
              {task.status === "complete"
                ? <span class="muted">done</span>
                : <button type="button" onClick={() => complete(task)} aria-label={`Complete ${task.name}`}>Complete</button>}
            </li>
          ))}
        </ul>
      ))}
      {!props.project.archived && (
        <form class="quick-start" onSubmit={create} aria-label={`New task in ${props.project.name}`}>
          <Field label="Task name" name="taskName" required value={name} onInput={setName} />
          <button type="submit">Add task</button>
        </form>
      )}
      {error !== null && <Notice kind="error">{error}</Notice>}
    </details>
  )
}
