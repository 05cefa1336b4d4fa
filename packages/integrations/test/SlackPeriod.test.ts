import { describe, expect, it } from "@effect/vitest"
import { period } from "../src/slack/Slack.js"

describe("Slack /clockme today and week", () => {
  it("days in the user's timezone; the week from its first day", () => {
    // Sunday 2026-12-06 23:30 UTC is already Monday 2026-12-07 in Berlin
    const now = Date.parse("2026-12-06T23:30:00Z")
    expect(period(now, "UTC", "monday", "today")).toEqual({ from: "2026-12-06", to: "2026-12-06" })
    expect(period(now, "Europe/Berlin", "monday", "today")).toEqual({ from: "2026-12-07", to: "2026-12-07" })
    expect(period(now, "UTC", "monday", "week")).toEqual({ from: "2026-11-30", to: "2026-12-06" })
    expect(period(now, "UTC", "sunday", "week")).toEqual({ from: "2026-12-06", to: "2026-12-06" })
    expect(period(now, "Europe/Berlin", "monday", "week")).toEqual({ from: "2026-12-07", to: "2026-12-07" })
  })
})
