import type { Connection, IntegrationInfo } from "@clockme/domain/contract/Integration"
import { Either } from "effect"
import { useState } from "preact/hooks"
import { call } from "../Client.js"
import { CopyButton, useLoad, when } from "../Controls.js"
import { Field, Notice, Select } from "../Form.js"

/** Where the provider sends its requests: absolute, as it is pasted into the provider's settings. */
const inboundUrl = (integration: string, connectionId: string, route: string) =>
  `${location.origin}/api/integrations/${integration}/inbound/${connectionId}/${route}`

/** A JSON object typed into a textarea, refused here before anything is sent. */
const parseObject = (label: string, text: string): Either.Either<Record<string, unknown> | undefined, string> => {
  if (text.trim() === "") return Either.right(undefined)
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? Either.right(value as Record<string, unknown>)
      : Either.left(`${label} must be a JSON object such as {"name": "value"}`)
  } catch (error) {
    return Either.left(`${label} is not valid JSON: ${(error as Error).message}`)
  }
}

const JsonArea = (props: { readonly label: string; readonly name: string; readonly value: string; readonly onInput: (value: string) => void }) => (
  <label class="field">
    <span>{props.label}</span>
    <textarea name={props.name} rows={3} spellcheck={false} value={props.value} placeholder='{"name": "value"}'
      onInput={(event) => props.onInput(event.currentTarget.value)} />
  </label>
)

const Deliveries = (props: { readonly connection: Connection }) => {
  const deliveries = useLoad(() => call((api) => api.integrations.deliveries({ path: { id: props.connection.id }, urlParams: {} })))
  if (deliveries.value === null) return <p class="muted">Loading…</p>
  if (Either.isLeft(deliveries.value)) return <Notice kind="error">{deliveries.value.left.message}</Notice>
  const list = deliveries.value.right
  return list.length === 0 ? <p class="muted">No deliveries yet.</p> : (
    <ul class="plain" aria-label={`Deliveries of ${props.connection.integration}`}>
      {list.map((delivery) => (
        <li key={delivery.id}>
          <code>{delivery.eventType}</code> {delivery.state}, {delivery.attempts} attempt(s)
          {delivery.lastStatus !== null && `, last answer ${delivery.lastStatus}`}
          {delivery.lastError !== null && `: ${delivery.lastError}`} · {when(delivery.createdAt)}
        </li>
      ))}
    </ul>
  )
}

const ConnectionItem = (props: { readonly connection: Connection; readonly info: IntegrationInfo | undefined; readonly onGone: () => void }) => {
  const { connection, info } = props
  const [open, setOpen] = useState(false)
  const [token, setToken] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reveal = async () => {
    const result = await call((api) => api.integrations.revealVerificationToken({ path: { id: connection.id } }))
    if (Either.isLeft(result)) return setError(result.left.message)
    setError(null)
    setToken(result.right.verificationToken)
  }
  const disconnect = async () => {
    if (!confirm(`Disconnect ${info?.title ?? connection.integration}? The provider's requests will be refused.`)) return
    const result = await call((api) => api.integrations.disconnect({ path: { id: connection.id } }))
    if (Either.isLeft(result)) return setError(result.left.message)
    props.onGone()
  }
  const name = info?.title ?? connection.integration
  return (
    <li>
      <strong>{name}</strong> {connection.description ?? ""}{" "}
      {connection.enabled ? "enabled" : `paused${connection.disabledReason === null ? "" : `: ${connection.disabledReason}`}`}
      {(info?.inbound ?? []).map((route) => {
        const url = inboundUrl(connection.integration, connection.id, route)
        return (
          <div key={route} class="copy-row">
            <code data-testid="inbound-url">{url}</code>
            <CopyButton text={url} label={`Copy the ${route} inbound URL of ${name}`} />
          </div>
        )
      })}
      <div class="row">
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>Deliveries</button>
        {connection.integration === "notion" && connection.inboundVerifiedAt === null && (
          <button type="button" onClick={reveal}>Reveal verification token</button>
        )}
        <button type="button" aria-label={`Disconnect ${name}`} onClick={disconnect}>Disconnect</button>
      </div>
      {token !== null && (
        <div class="secret" role="status">
          <p>Paste this verification token into the provider's settings:</p>
          <div class="copy-row"><code data-testid="verification-token">{token}</code><CopyButton text={token} label="Copy the verification token" /></div>
        </div>
      )}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {open && <Deliveries connection={connection} />}
    </li>
  )
}

/** Connecting the integrations this server runs (CLOCKME_INTEGRATIONS), their inbound URLs, deliveries and removal. */
export const Integrations = () => {
  const integrations = useLoad(() => call((api) => api.integrations.list()))
  const [provider, setProvider] = useState("")
  const [description, setDescription] = useState("")
  const [config, setConfig] = useState("")
  const [secrets, setSecrets] = useState("")
  const [error, setError] = useState<string | null>(null)
  if (integrations.value === null) return null
  if (Either.isLeft(integrations.value)) return <Notice kind="info">{integrations.value.left.message}</Notice>
  const { available, connections } = integrations.value.right
  const offered = available.filter((info) => info.id !== "webhooks")
  const chosen = offered.find((info) => info.id === provider) ?? offered[0]

  const connect = async (event: Event) => {
    event.preventDefault()
    if (chosen === undefined) return
    const parsed = Either.all([parseObject("Config", config), parseObject("Secrets", secrets)])
    if (Either.isLeft(parsed)) return setError(parsed.left)
    const [configValue, secretValues] = parsed.right
    const badSecret = Object.entries(secretValues ?? {}).find(([, value]) => typeof value !== "string")
    if (badSecret !== undefined) return setError(`Secrets: ${badSecret[0]} must be a string`)
    const result = await call((api) => api.integrations.connect({
      payload: {
        integration: chosen.id,
        ...(description.trim() === "" ? {} : { description: description.trim() }),
        ...(configValue === undefined ? {} : { config: configValue }),
        ...(secretValues === undefined ? {} : { secrets: secretValues as Record<string, string> })
      } as never
    }))
    if (Either.isLeft(result)) return setError(result.left.message)
    setError(null)
    setDescription("")
    setConfig("")
    setSecrets("")
    integrations.reload()
  }
  const ours = connections.filter((c) => c.integration !== "webhooks")
  return (
    <div>
      <h3>Integrations</h3>
      {offered.length === 0 ? <p class="muted">This server runs no integrations (CLOCKME_INTEGRATIONS).</p> : (
        <form onSubmit={connect} aria-label="Connect an integration">
          <Select label="Integration" name="integration" value={chosen?.id ?? ""} onInput={setProvider}
            options={offered.map((info) => ({ value: info.id, label: info.title }))} />
          {chosen !== undefined && <p class="muted">{chosen.description}</p>}
          <Field label="Description (optional)" name="description" value={description} onInput={setDescription} />
          <JsonArea label="Config (JSON, optional)" name="config" value={config} onInput={setConfig} />
          <JsonArea label="Secrets (JSON, stored encrypted, optional)" name="secrets" value={secrets} onInput={setSecrets} />
          <button type="submit" class="primary">Connect integration</button>
        </form>
      )}
      {error !== null && <Notice kind="error">{error}</Notice>}
      <ul class="plain" aria-label="Integrations connected">
        {ours.map((connection) => (
          <ConnectionItem key={connection.id} connection={connection}
            info={available.find((info) => info.id === connection.integration)} onGone={integrations.reload} />
        ))}
      </ul>
    </div>
  )
}
