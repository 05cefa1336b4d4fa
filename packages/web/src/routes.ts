import type { FunctionComponent } from "preact"
import { Coming } from "./pages/Coming.js"
import { Projects } from "./pages/Projects.js"
import { Reports } from "./pages/Reports.js"
import { SetPassword } from "./pages/SetPassword.js"
import { SignIn } from "./pages/SignIn.js"
import { Timers } from "./pages/Timers.js"
import { Week } from "./pages/Week.js"

export interface Route {
  readonly path: string
  readonly title: string
  readonly page: FunctionComponent
  /** Shown in the navigation when signed in. */
  readonly nav: boolean
  /** Open without a session (signing in, setting a password). */
  readonly open?: boolean
}

const coming = (title: string): FunctionComponent => () => Coming({ title })

/** Every page of the dashboard: a page is one file in pages/ and one line here. */
export const routes: ReadonlyArray<Route> = [
  { path: "/timers", title: "Timers", page: Timers, nav: true },
  { path: "/week", title: "Week", page: Week, nav: true },
  { path: "/projects", title: "Projects", page: Projects, nav: true },
  { path: "/reports", title: "Reports", page: Reports, nav: true },
  { path: "/team", title: "Team", page: coming("Team"), nav: true },
  { path: "/settings", title: "Settings", page: coming("Settings"), nav: true },
  { path: "/setup", title: "Setup", page: coming("Setup"), nav: true },
  { path: "/explorer", title: "Explorer", page: coming("Explorer"), nav: true },
  { path: "/sign-in", title: "Sign in", page: SignIn, nav: false, open: true },
  { path: "/set-password", title: "Set your password", page: SetPassword, nav: false, open: true }
]

/** Where `/` and unknown paths lead. */
export const home = "/timers"
