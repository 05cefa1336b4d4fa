import type { SessionInfo } from "@clockme/domain/contract/Session"
import { Either } from "effect"
import { useEffect, useState } from "preact/hooks"
import { call, setCsrfToken, whenSignedOut } from "./Client.js"
import { Link, navigate, usePath } from "./Router.js"
import { home, routes } from "./routes.js"
import { SessionContext, useSession } from "./Session.js"

const signInPath = "/sign-in"

export const App = () => {
  const path = usePath()
  const [session, setSessionState] = useState<SessionInfo | null | undefined>(undefined)
  const setSession = (next: SessionInfo | null) => {
    setCsrfToken(next?.csrfToken)
    setSessionState(next)
  }

  useEffect(() => {
    // the effect below then sends a person on a page that needs a session to sign-in
    whenSignedOut(() => setSession(null))
    void call((api) => api.session.current()).then((result) => setSession(Either.getOrNull(result)))
  }, [])

  const route = routes.find((candidate) => candidate.path === path)
  useEffect(() => {
    if (session === undefined) return
    if (route === undefined) navigate(session === null ? signInPath : home, { replace: true })
    else if (session === null && route.open !== true) navigate(signInPath, { replace: true })
    else if (session !== null && route.path === signInPath) navigate(home, { replace: true })
    document.title = route === undefined ? "ClockMe" : `${route.title} · ClockMe`
  }, [session, route])

  if (session === undefined || route === undefined) return <p class="loading">Loading…</p>
  if (session === null && route.open !== true) return <p class="loading">Loading…</p>

  const Page = route.page
  return (
    <SessionContext.Provider value={{ session, setSession }}>
      {session === null ? <main class="open"><Page /></main> : (
        <div class="shell">
          <header>
            <span class="brand">ClockMe</span>
            <nav aria-label="Main">
              <ul>
                {routes.filter((candidate) => candidate.nav).map((candidate) => (
                  <li key={candidate.path}>
                    <Link href={candidate.path} current={candidate.path === path}>{candidate.title}</Link>
                  </li>
                ))}
              </ul>
            </nav>
            <SignOut email={session.email} />
          </header>
          <main>
            <Page />
          </main>
        </div>
      )}
    </SessionContext.Provider>
  )
}

const SignOut = (props: { readonly email: string }) => {
  const { setSession } = useSession()
  const signOut = () =>
    void call((api) => api.session.signOut()).then(() => {
      setSession(null)
      navigate(signInPath)
    })
  return (
    <div class="account">
      <span class="muted">{props.email}</span>
      <button type="button" onClick={signOut}>Sign out</button>
    </div>
  )
}
