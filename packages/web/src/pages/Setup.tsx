import type { CreatedApiKey } from "@clockme/domain/contract/ApiKey"
import { type RecordFile, setupRecords, type Tool, TOOLS } from "@clockme/sdk/setup-records"
import { Either } from "effect"
import { useState } from "preact/hooks"
import { call } from "../Client.js"
import { CopyButton, useLoad } from "../Controls.js"
import { Notice } from "../Form.js"
import { Secret } from "./Settings.js"

const toolNames: Record<Tool, string> = {
  "claude-code": "Claude Code",
  cursor: "Cursor",
  windsurf: "Windsurf",
  gemini: "Gemini CLI",
  copilot: "Copilot (VS Code)",
  codex: "Codex"
}

const places: Record<RecordFile["place"], string> = {
  home: "~/",
  project: "<your project>/",
  vscode: "<VS Code user folder>/"
}

/**
 * The command the copied hooks run, with nothing installed: npx fetches the SDK and runs its `clockme` bin (`-p`,
 * as the package has two bins and neither is named after it). The one-line setup installs a faster launcher instead.
 */
export const HOOK_COMMAND = "npx -y -p @clockme/sdk clockme"

export const Setup = () => {
  const [tool, setTool] = useState<Tool>("claude-code")
  const [fallback, setFallback] = useState("")
  const [created, setCreated] = useState<CreatedApiKey | null>(null)
  const [error, setError] = useState<string | null>(null)
  const projects = useLoad(() => call((api) => api.projects.list({ urlParams: {} })))
  const list = projects.value !== null && Either.isRight(projects.value) ? projects.value.right : []

  const createKey = async () => {
    const result = await call((api) => api.keys.create({ payload: { label: `${toolNames[tool]} setup`, scope: "write" } as never }))
    if (Either.isLeft(result)) return setError(result.left.message)
    setError(null)
    setCreated(result.right)
  }
  const records = created === null ? null : setupRecords(tool, {
    key: created.secret,
    serverUrl: location.origin,
    hookCommand: HOOK_COMMAND,
    autoCreate: fallback === "",
    fallbackProject: fallback === "" ? undefined : fallback
  })

  return (
    <section aria-labelledby="setup-title" class="stack">
      <h1 id="setup-title">Setup</h1>
      <fieldset class="card">
        <legend>1. Your AI tool</legend>
        <div class="checks">
          {TOOLS.map((name) => (
            <label key={name}>
              <input type="radio" name="tool" value={name} checked={tool === name} onChange={() => setTool(name)} /> {toolNames[name]}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset class="card">
        <legend>2. Which project a session tracks</legend>
        <label class="field">
          <span>Project</span>
          <select name="fallbackProject" value={fallback} onChange={(event) => setFallback(event.currentTarget.value)}>
            <option value="">Create one named after the folder (auto-create)</option>
            {list.map((project) => <option key={project.id} value={project.id}>Always {project.name}</option>)}
          </select>
        </label>
      </fieldset>
      <section class="card" aria-labelledby="setup-key-title">
        <h2 id="setup-key-title">3. A key for {toolNames[tool]}</h2>
        <p class="muted">A new key with write scope: it tracks time and can do nothing else.</p>
        <button type="button" class="primary" onClick={createKey}>Create a key</button>
        {error !== null && <Notice kind="error">{error}</Notice>}
        {created !== null && <Secret created={created} />}
      </section>
      {records !== null && (
        <section class="card" aria-labelledby="setup-files-title">
          <h2 id="setup-files-title">4. Configuration for {toolNames[tool]}</h2>
          <p>
            <strong>Recommended:</strong> run this once where {toolNames[tool]} runs. It writes the same configuration
            and installs a small launcher for the hooks, faster than npx at every prompt:
          </p>
          <div class="copy-row">
            <pre tabIndex={0}><code data-testid="setup-command">{records.command}</code></pre>
            <CopyButton text={records.command} label="Copy the setup command" />
          </div>
          <p>Or write these files yourself. Their hooks run <code>{HOOK_COMMAND}</code>, which needs only Node.js and npm; the first run downloads the SDK.</p>
          {records.files.map((file) => {
            const where = `${places[file.place]}${file.path}`
            return (
              <figure key={where} class="file">
                <figcaption><code>{where}</code> <CopyButton text={file.content} label={`Copy ${where}`} /></figcaption>
                <pre tabIndex={0}><code data-file={`${file.place}:${file.path}`}>{file.content}</code></pre>
              </figure>
            )
          })}
        </section>
      )}
    </section>
  )
}
