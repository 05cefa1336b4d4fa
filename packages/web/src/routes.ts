import type { FunctionComponent } from "preact"
import { Projects } from "./pages/Projects.js"
import { Reports } from "./pages/Reports.js"
import { Explorer } from "./pages/Explorer.js"
import { Invite } from "./pages/Invite.js"
import { SetPassword } from "./pages/SetPassword.js"
import { Settings } from "./pages/Settings.js"
import { Setup } from "./pages/Setup.js"
import { SignIn } from "./pages/SignIn.js"
import { Team } from "./pages/Team.js"
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

/** Every page of the dashboard: a page is one file in pages/ and one line here. */
export const routes: ReadonlyArray<Route> = [
  { path: "/timers", title: "Timers", page: Timers, nav: true },
  { path: "/week", title: "Week", page: Week, nav: true },
  { path: "/projects", title: "Projects", page: Projects, nav: true },
  { path: "/reports", title: "Reports", page: Reports, nav: true },
  { path: "/team", title: "Team", page: Team, nav: true },
  { path: "/settings", title: "Settings", page: Settings, nav: true },
  { path: "/setup", title: "Setup", page: Setup, nav: true },
  { path: "/explorer", title: "Explorer", page: Explorer, nav: true },
  { path: "/sign-in", title: "Sign in", page: SignIn, nav: false, open: true },
  { path: "/invite", title: "Join a workspace", page: Invite, nav: false, open: true },
  { path: "/set-password", title: "Set your password", page: SetPassword, nav: false, open: true }
]

/** Where `/` and unknown paths lead. */
export const home = "/timers"
