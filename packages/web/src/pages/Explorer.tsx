import { useEffect, useState } from "preact/hooks"
import { Field, Notice } from "../Form.js"

interface Parameter {
  readonly name: string
  readonly in: string
  readonly required?: boolean
}

interface Operation {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly summary: string
  readonly parameters: ReadonlyArray<Parameter>
  readonly hasBody: boolean
}

interface Answer {
  readonly status: number
  readonly statusText: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: string
}

const methods = ["get", "post", "put", "patch", "delete"] as const

/** Calls that remove or replace something: each waits for a second, explicit confirmation. */
const destructive = (operation: Operation) =>
  operation.method === "DELETE" || /revoke|remove|delete|disconnect|leave|rotate|unmap/i.test(operation.id)

type Document = { readonly paths?: Record<string, Record<string, {
  readonly operationId?: string
  readonly summary?: string
  readonly description?: string
  readonly parameters?: ReadonlyArray<Parameter>
  readonly requestBody?: unknown
}>> }

const operationsOf = (document: Document): ReadonlyArray<Operation> =>
  Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    methods.flatMap((method) => {
      const operation = item[method]
      if (operation === undefined) return []
      return [{
        id: operation.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        summary: operation.summary ?? operation.description ?? "",
        parameters: (operation.parameters ?? []).filter((p) => p.in === "path" || p.in === "query"),
        hasBody: operation.requestBody !== undefined
      }]
    })
  )

const pretty = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

export const Explorer = () => {
  const [operations, setOperations] = useState<ReadonlyArray<Operation> | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [filter, setFilter] = useState("")
  const [selected, setSelected] = useState<Operation | null>(null)
  const [values, setValues] = useState<Record<string, string>>({})
  const [body, setBody] = useState("")
  const [key, setKey] = useState("")
  const [confirming, setConfirming] = useState(false)
  const [answer, setAnswer] = useState<Answer | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    void fetch("/api/openapi", { credentials: "omit" })
      .then((response) => response.json() as Promise<Document>)
      .then((document) => setOperations(operationsOf(document)))
      .catch((cause: unknown) => setLoadError(`The API description could not be read: ${String(cause)}`))
  }, [])

  const choose = (operation: Operation) => {
    setSelected(operation)
    setValues({})
    setBody(operation.hasBody ? "{\n}" : "")
    setConfirming(false)
    setAnswer(null)
    setError(null)
  }

  const send = async (operation: Operation) => {
    let path = operation.path
    const query = new URLSearchParams()
    for (const parameter of operation.parameters) {
      const value = values[`${parameter.in}:${parameter.name}`] ?? ""
      if (parameter.in === "path") path = path.replace(`{${parameter.name}}`, encodeURIComponent(value))
      else if (value !== "") query.set(parameter.name, value)
    }
    const search = query.toString()
    const headers: Record<string, string> = {}
    if (key.trim() !== "") headers.Authorization = `Bearer ${key.trim()}`
    if (operation.hasBody && body.trim() !== "") headers["Content-Type"] = "application/json"
    setConfirming(false)
    try {
      // the request a person composed, with their key and never the session's cookie
      const response = await fetch(`${path}${search === "" ? "" : `?${search}`}`, {
        method: operation.method,
        headers,
        credentials: "omit",
        ...(operation.hasBody && body.trim() !== "" ? { body } : {})
      })
      setError(null)
      setAnswer({
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers.entries()],
        body: pretty(await response.text())
      })
    } catch (cause) {
      setError(`The request failed: ${String(cause)}`)
    }
  }

  const submit = (event: Event) => {
    event.preventDefault()
    if (selected === null) return
    if (destructive(selected) && !confirming) return setConfirming(true)
    void send(selected)
  }

  const shown = (operations ?? []).filter((operation) =>
    `${operation.method} ${operation.path} ${operation.id}`.toLowerCase().includes(filter.toLowerCase()))

  return (
    <section aria-labelledby="explorer-title" class="stack">
      <h1 id="explorer-title">Explorer</h1>
      {loadError !== null && <Notice kind="error">{loadError}</Notice>}
      <div class="explorer">
        <nav aria-label="Operations" class="card operations">
          <Field label="Filter operations" name="filter" value={filter} onInput={setFilter} />
          {operations === null ? <p class="muted">Loading…</p> : (
            <ul class="plain">
              {shown.map((operation) => (
                <li key={`${operation.method} ${operation.path}`}>
                  <button
                    type="button"
                    class="operation"
                    aria-pressed={selected?.id === operation.id}
                    onClick={() => choose(operation)}
                  >
                    <span class={`method ${operation.method.toLowerCase()}`}>{operation.method}</span> {operation.path}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </nav>
        <div class="card">
          {selected === null ? <p class="muted">Choose an operation.</p> : (
            <form onSubmit={submit} aria-labelledby="operation-title">
              <h2 id="operation-title"><span class={`method ${selected.method.toLowerCase()}`}>{selected.method}</span> {selected.path}</h2>
              {selected.summary !== "" && <p class="muted">{selected.summary}</p>}
              <Field label="API key" name="apiKey" type="password" autocomplete="off" value={key} onInput={setKey} />
              {selected.parameters.map((parameter) => (
                <Field
                  key={`${parameter.in}:${parameter.name}`}
                  label={`${parameter.name} (${parameter.in}${parameter.required === true ? ", required" : ""})`}
                  name={`${parameter.in}-${parameter.name}`}
                  required={parameter.required === true}
                  value={values[`${parameter.in}:${parameter.name}`] ?? ""}
                  onInput={(value) => setValues({ ...values, [`${parameter.in}:${parameter.name}`]: value })}
                />
              ))}
              {selected.hasBody && (
                <label class="field">
                  <span>Body (JSON)</span>
                  <textarea name="body" rows={8} spellcheck={false} value={body} onInput={(event) => setBody(event.currentTarget.value)} />
                </label>
              )}
              {confirming
                ? (
                  <div class="confirm" role="alert">
                    <p>This {selected.method} changes or removes data. Send it?</p>
                    <button type="submit" class="danger">Confirm {selected.method}</button>{" "}
                    <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
                  </div>
                )
                : <button type="submit" class="primary">Send</button>}
            </form>
          )}
          {error !== null && <Notice kind="error">{error}</Notice>}
          {answer !== null && (
            <section aria-labelledby="answer-title" class="answer">
              <h3 id="answer-title">Response <span data-testid="status">{answer.status}</span> {answer.statusText}</h3>
              <dl class="headers">
                {answer.headers.map(([name, value]) => <div key={name}><dt>{name}</dt><dd>{value}</dd></div>)}
              </dl>
              <pre tabIndex={0}><code>{answer.body}</code></pre>
            </section>
          )}
        </div>
      </div>
    </section>
  )
}
