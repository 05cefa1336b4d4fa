/**
 * The few endpoints a hook calls, spelled out so the hook needs neither Effect nor the contract
 * at run time (a test checks them against the contract).
 */
export const HOOK_ROUTES = {
  health: { method: "GET", path: "/api/health" },
  start: { method: "POST", path: "/api/timer/start" },
  heartbeat: { method: "POST", path: "/api/timer/heartbeat" },
  stop: { method: "POST", path: "/api/timer/stop" }
} as const

export type HookRoute = keyof typeof HOOK_ROUTES
