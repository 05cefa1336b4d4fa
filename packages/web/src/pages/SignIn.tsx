import { Either } from "effect"
import { useState } from "preact/hooks"
import { call } from "../Client.js"
import { Field, Notice } from "../Form.js"
import { navigate } from "../Router.js"
import { home } from "../routes.js"
import { useSession } from "../Session.js"

export const SignIn = () => {
  const { setSession } = useSession()
  const [email, setEmail] = useState("")
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const passwordSet = new URLSearchParams(location.search).has("password-set")

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await call((api) => api.session.signIn({ payload: { email, password } }))
    setBusy(false)
    if (Either.isLeft(result)) return setError(result.left.message)
    setSession(result.right)
    navigate(home)
  }

  return (
    <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to ClockMe</h1>
      {passwordSet && <Notice kind="info">Your password is set: sign in with it.</Notice>}
      {error !== null && <Notice kind="error">{error}</Notice>}
      <Field label="Email" name="email" type="email" autocomplete="username" required value={email} onInput={setEmail} />
      <Field
        label="Password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        value={password}
        onInput={setPassword}
      />
      <button type="submit" class="primary" disabled={busy}>Sign in</button>
    </form>
  )
}
