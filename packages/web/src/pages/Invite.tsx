import { Either } from "effect"
import { useEffect, useState } from "preact/hooks"
import { call, type Failure } from "../Client.js"
import { Field, Notice } from "../Form.js"
import { navigate } from "../Router.js"
import { useSession } from "../Session.js"

/** What each refusal means to the person holding the link. */
const explain = (failure: Failure): string => {
  switch (failure.tag) {
    case "InviteInvalid":
      return `This invite link is not valid: ${failure.message} Ask the workspace's owner for a new one.`
    case "InviteUnusable":
      return `This invite can no longer be used: ${failure.message} Ask the workspace's owner for a new one.`
    case "AccountExists":
      return `${failure.message} Sign in below with that account to join.`
    default:
      return failure.message
  }
}

const codeOfLink = () => new URLSearchParams(location.hash.slice(1)).get("code") ?? ""

export const Invite = () => {
  const { session, setSession } = useSession()
  const [code, setCode] = useState(codeOfLink)
  useEffect(() => {
    // a second link opened in the same tab changes only the hash: no reload
    const update = () => {
      setCode(codeOfLink())
      setError(null)
    }
    addEventListener("hashchange", update)
    return () => removeEventListener("hashchange", update)
  }, [])
  const [name, setName] = useState("")
  const [email, setEmail] = useState("")
  const [password, setPassword] = useState("")
  const [existingEmail, setExistingEmail] = useState("")
  const [existingPassword, setExistingPassword] = useState("")
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const join = async () => {
    const joined = await call((api) => api.workspaces.join({ payload: { code } }))
    if (Either.isLeft(joined)) return setError(explain(joined.left))
    navigate("/team")
  }
  const run = async (event: Event, step: () => Promise<void>) => {
    event.preventDefault()
    setBusy(true)
    await step()
    setBusy(false)
  }
  const signUp = (event: Event) =>
    run(event, async () => {
      const result = await call((api) => api.session.signUpWithInvite({ payload: { code, name: name.trim(), email, password } }))
      if (Either.isLeft(result)) return setError(explain(result.left))
      setSession(result.right)
      navigate("/team")
    })
  const signInAndJoin = (event: Event) =>
    run(event, async () => {
      const signedIn = await call((api) => api.session.signIn({ payload: { email: existingEmail, password: existingPassword } }))
      if (Either.isLeft(signedIn)) return setError(signedIn.left.message)
      setSession(signedIn.right)
      await join()
    })

  if (code === "") {
    return (
      <section class="card" aria-labelledby="invite-title">
        <h1 id="invite-title">Join a workspace</h1>
        <Notice kind="error">This link has no invite code. Open the whole link you were given, or ask for a new one.</Notice>
      </section>
    )
  }
  if (session !== null) {
    return (
      <section class="card" aria-labelledby="invite-title">
        <h1 id="invite-title">Join a workspace</h1>
        <p>You are signed in as {session.email}.</p>
        {error !== null && <Notice kind="error">{error}</Notice>}
        <button type="button" class="primary" disabled={busy} onClick={(event) => run(event, join)}>Join the workspace</button>
      </section>
    )
  }
  return (
    <div class="stack">
      <form class="card" onSubmit={signUp} aria-labelledby="invite-title">
        <h1 id="invite-title">Join a workspace</h1>
        <p class="muted">You were invited to ClockMe. Create your account to join.</p>
        {error !== null && <Notice kind="error">{error}</Notice>}
        <Field label="Your name" name="name" autocomplete="name" required value={name} onInput={setName} />
        <Field label="Email" name="email" type="email" autocomplete="username" required value={email} onInput={setEmail} />
        <Field label="Choose a password" name="password" type="password" autocomplete="new-password" required minLength={12} value={password} onInput={setPassword} />
        <button type="submit" class="primary" disabled={busy}>Create account and join</button>
      </form>
      <form class="card" onSubmit={signInAndJoin} aria-labelledby="existing-title">
        <h2 id="existing-title">Already have an account?</h2>
        <Field label="Account email" name="existingEmail" type="email" autocomplete="username" required value={existingEmail} onInput={setExistingEmail} />
        <Field label="Account password" name="existingPassword" type="password" autocomplete="current-password" required value={existingPassword} onInput={setExistingPassword} />
        <button type="submit" disabled={busy}>Sign in and join</button>
      </form>
    </div>
  )
}
