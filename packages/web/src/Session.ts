import type { SessionInfo } from "@clockme/domain/contract/Session"
import { createContext } from "preact"
import { useContext } from "preact/hooks"

/** The signed-in person, or null while signed out. */
export const SessionContext = createContext<{
  readonly session: SessionInfo | null
  readonly setSession: (session: SessionInfo | null) => void
}>({ session: null, setSession: () => {} })

export const useSession = () => useContext(SessionContext)
