import { Either } from "effect"
import { useState } from "preact/hooks"
import { call } from "../Client.js"
import { Field, Notice } from "../Form.js"
import { navigate } from "../Router.js"

/** The token of a set-password link: after `#token=`, so it never reaches a server log or a Referer. */
const tokenOf = (hash: string) => new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? ""

export const SetPassword = () => {
  const [token] = useState(() => tokenOf(location.hash))
  const [password, setPassword] = useState("")
  const [again, setAgain] = useState("")
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (password !== again) return setError("The two passwords differ")
    setBusy(true)
    const result = await call((api) => api.session.setPassword({ payload: { token, password } }))
    setBusy(false)
    if (Either.isLeft(result)) return setError(result.left.message)
    navigate("/sign-in?password-set", { replace: true })
  }

  if (token === "") {
    return (
      <section class="card">
        <h1>Set your password</h1>
        <Notice kind="error">
          This page needs the link the server printed (it ends in #token=…). Ask for a new one with
          <code>clockme-server accounts set-password</code>.
        </Notice>
      </section>
    )
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="set-password-title">
      <h1 id="set-password-title">Set your password</h1>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <Field
        label="New password"
        name="password"
        type="password"
        autocomplete="new-password"
        required
        minLength={12}
        value={password}
        onInput={setPassword}
      />
      <Field
        label="The same password again"
        name="again"
        type="password"
        autocomplete="new-password"
        required
        minLength={12}
        value={again}
        onInput={setAgain}
      />
      <button type="submit" class="primary" disabled={busy}>Set password</button>
    </form>
  )
}
