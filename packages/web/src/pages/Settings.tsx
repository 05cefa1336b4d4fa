import type { KeyScope } from "@clockme/domain/contract/Actor"
import type { ApiKey, CreatedApiKey } from "@clockme/domain/contract/ApiKey"
import { wireEventTypes } from "@clockme/domain/contract/Events"
import type { Delivery } from "@clockme/domain/contract/Integration"
import type { WeekStart as WeekStartSchema } from "@clockme/domain/contract/User"
import type { WebhookEndpoint } from "@clockme/domain/contract/Webhook"
import { Either } from "effect"
import { useState } from "preact/hooks"
import { call } from "../Client.js"
import { Choice, CopyButton, instantOf, useLoad, when } from "../Controls.js"
import { Field, Notice } from "../Form.js"
import { Integrations } from "./Integrations.js"

const scopes: ReadonlyArray<readonly [KeyScope, string]> = [
  ["write", "write: track time (hooks, MCP)"],
  ["read", "read: reports only"],
  ["full", "full: everything, keys included"]
]

/** The one time a secret is shown. */
export const Secret = (props: { readonly created: CreatedApiKey }) => (
  <div class="secret" role="status">
    <p>Your new key <strong>{props.created.key.label ?? props.created.key.prefix}</strong> (shown only this once):</p>
    <div class="copy-row">
      <code data-testid="secret">{props.created.secret}</code>
      <CopyButton text={props.created.secret} label="Copy the new key" />
    </div>
  </div>
)

const Keys = () => {
  const keys = useLoad(() => call((api) => api.keys.list()))
  const [label, setLabel] = useState("")
  const [scope, setScope] = useState<KeyScope>("write")
  const [expires, setExpires] = useState("")
  const [created, setCreated] = useState<CreatedApiKey | null>(null)
  const [error, setError] = useState<string | null>(null)

  const act = async (run: () => Promise<Either.Either<CreatedApiKey | ApiKey, { readonly message: string }>>) => {
    const result = await run()
    if (Either.isLeft(result)) setError(result.left.message)
    else {
      setError(null)
      if ("secret" in result.right) setCreated(result.right)
    }
    keys.reload()
    return Either.isRight(result)
  }
  const create = async (event: Event) => {
    event.preventDefault()
    const expiresAt = instantOf(expires)
    const payload = { label: label.trim(), scope, ...(expiresAt === undefined ? {} : { expiresAt }) }
    if (await act(() => call((api) => api.keys.create({ payload: payload as never })))) setLabel("")
  }
  const list = keys.value !== null && Either.isRight(keys.value) ? keys.value.right.filter((key) => key.revokedAt === null) : null

  return (
    <section aria-labelledby="keys-title" class="card">
      <h2 id="keys-title">API keys</h2>
      <form class="row" onSubmit={create}>
        <Field label="Label" name="label" required value={label} onInput={setLabel} />
        <Choice label="Scope" name="scope" value={scope} options={scopes} onChange={setScope} />
        <Field label="Expires (optional)" name="expiresAt" type="datetime-local" value={expires} onInput={setExpires} />
        <button type="submit" class="primary">Create key</button>
      </form>
      {created !== null && <Secret created={created} />}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {list === null ? <p class="muted">Loading…</p> : (
        <table>
          <caption class="visually-hidden">Your API keys</caption>
          <thead><tr><th>Label</th><th>Prefix</th><th>Scope</th><th>Last used</th><th>Expires</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {list.map((key) => (
              <tr key={key.id}>
                <td>{key.label ?? "—"}</td>
                <td><code>{key.prefix}</code></td>
                <td>{key.scope}</td>
                <td>{when(key.lastUsedAt)}</td>
                <td>{when(key.expiresAt)}</td>
                <td class="actions">
                  <button type="button" aria-label={`Rotate ${key.label ?? key.prefix}`} onClick={() => act(() => call((api) => api.keys.rotate({ path: { id: key.id }, payload: null })))}>Rotate</button>
                  <button type="button" aria-label={`Revoke ${key.label ?? key.prefix}`} onClick={() => act(() => call((api) => api.keys.revoke({ path: { id: key.id } })))}>Revoke</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

type WeekStart = typeof WeekStartSchema.Type

const weekStarts: ReadonlyArray<readonly [WeekStart, string]> = [["monday", "Monday"], ["sunday", "Sunday"]]

const Profile = () => {
  const [timezone, setTimezone] = useState<string | null>(null)
  const [weekStart, setWeekStart] = useState<WeekStart>("monday")
  const [notice, setNotice] = useState<{ readonly kind: "error" | "info"; readonly text: string } | null>(null)
  useLoad(() =>
    call((api) => api.me.get()).then((result) => {
      if (Either.isRight(result)) {
        setTimezone(result.right.user.timezone)
        setWeekStart(result.right.user.weekStart)
      }
    })
  )
  const save = async (event: Event) => {
    event.preventDefault()
    const result = await call((api) => api.me.update({ payload: { timezone: timezone ?? "", weekStart } }))
    setNotice(Either.isLeft(result) ? { kind: "error", text: result.left.message } : { kind: "info", text: "Profile saved." })
  }
  return (
    <section aria-labelledby="profile-title" class="card">
      <h2 id="profile-title">Profile</h2>
      {timezone === null ? <p class="muted">Loading…</p> : (
        <form class="row" onSubmit={save}>
          <Field label="Timezone" name="timezone" required value={timezone} onInput={setTimezone} />
          <Choice label="Week starts on" name="weekStart" value={weekStart} options={weekStarts} onChange={setWeekStart} />
          <button type="submit" class="primary">Save profile</button>
        </form>
      )}
      {notice !== null && <Notice kind={notice.kind}>{notice.text}</Notice>}
    </section>
  )
}

const Deliveries = (props: { readonly webhook: WebhookEndpoint }) => {
  const deliveries = useLoad(() => call((api) => api.webhooks.deliveries({ path: { id: props.webhook.id }, urlParams: {} })))
  const [error, setError] = useState<string | null>(null)
  const retry = async (delivery: Delivery) => {
    const result = await call((api) => api.webhooks.retry({ path: { id: props.webhook.id, deliveryId: delivery.id } }))
    setError(Either.isLeft(result) ? result.left.message : null)
    deliveries.reload()
  }
  const test = async () => {
    const result = await call((api) => api.webhooks.test({ path: { id: props.webhook.id } }))
    setError(Either.isLeft(result) ? result.left.message : null)
    deliveries.reload()
  }
  const list = deliveries.value !== null && Either.isRight(deliveries.value) ? deliveries.value.right : null
  return (
    <div>
      <button type="button" onClick={test}>Send a test event</button>
      {error !== null && <Notice kind="error">{error}</Notice>}
      {list === null ? <p class="muted">Loading…</p> : list.length === 0 ? <p class="muted">No deliveries yet.</p> : (
        <ul class="plain" aria-label={`Deliveries to ${props.webhook.url}`}>
          {list.map((delivery) => (
            <li key={delivery.id}>
              <code>{delivery.eventType}</code> {delivery.state}, {delivery.attempts} attempt(s)
              {delivery.lastStatus !== null && `, last answer ${delivery.lastStatus}`} · {when(delivery.createdAt)}{" "}
              <button type="button" aria-label={`Retry delivery of ${delivery.eventType}`} onClick={() => retry(delivery)}>Retry</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

const Webhooks = () => {
  const webhooks = useLoad(() => call((api) => api.webhooks.list()))
  const [url, setUrl] = useState("")
  const [events, setEvents] = useState<ReadonlyArray<string>>(["timer.stopped"])
  const [secret, setSecret] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [open, setOpen] = useState<string | null>(null)

  const create = async (event: Event) => {
    event.preventDefault()
    const result = await call((api) => api.webhooks.create({ payload: { url: url.trim(), events }, headers: {} }))
    if (Either.isLeft(result)) return setError(result.left.message)
    setError(null)
    setSecret(result.right.secret)
    setUrl("")
    webhooks.reload()
  }
  const toggle = (name: string) => setEvents(events.includes(name) ? events.filter((e) => e !== name) : [...events, name])
  if (webhooks.value !== null && Either.isLeft(webhooks.value)) {
    return (
      <section aria-labelledby="webhooks-title" class="card">
        <h2 id="webhooks-title">Webhooks and integrations</h2>
        <Notice kind="info">{webhooks.value.left.message}</Notice>
      </section>
    )
  }
  return (
    <section aria-labelledby="webhooks-title" class="card">
      <h2 id="webhooks-title">Webhooks and integrations</h2>
      <form onSubmit={create}>
        <Field label="Webhook URL" name="url" type="url" required value={url} onInput={setUrl} />
        <fieldset>
          <legend>Events</legend>
          <div class="checks">
            {wireEventTypes.map((name) => (
              <label key={name}><input type="checkbox" checked={events.includes(name)} onChange={() => toggle(name)} /> {name}</label>
            ))}
          </div>
        </fieldset>
        <button type="submit" class="primary">Connect webhook</button>
      </form>
      {secret !== null && (
        <div class="secret" role="status">
          <p>Signing secret (shown only this once):</p>
          <div class="copy-row"><code>{secret}</code><CopyButton text={secret} label="Copy the signing secret" /></div>
        </div>
      )}
      {error !== null && <Notice kind="error">{error}</Notice>}
      <h3>Connections</h3>
      <ul class="plain" aria-label="Connections">
        {(webhooks.value === null ? [] : webhooks.value.right).map((webhook) => (
          <li key={webhook.id}>
            <strong>Webhook</strong> <code>{webhook.url}</code> {webhook.enabled ? "enabled" : `paused${webhook.disabledReason === null ? "" : `: ${webhook.disabledReason}`}`}{" "}
            <button type="button" aria-expanded={open === webhook.id} onClick={() => setOpen(open === webhook.id ? null : webhook.id)}>
              Deliveries
            </button>
            {open === webhook.id && <Deliveries webhook={webhook} />}
          </li>
        ))}
      </ul>
      <Integrations />
    </section>
  )
}

export const Settings = () => (
  <section aria-labelledby="settings-title" class="stack">
    <h1 id="settings-title">Settings</h1>
    <Keys />
    <Profile />
    <Webhooks />
  </section>
)
