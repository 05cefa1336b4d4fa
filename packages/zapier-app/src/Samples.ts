/**
 * What Zapier shows a user before their own data exists: items of exactly the shape the server answers
 * (the app's tests compare each with a real answer).
 */
const workspaceId = "6f1c2a4e-0d8b-4c57-9e3a-2b7d41c8a901"
const userId = "1b9e8f60-3c2d-4e7a-8f15-9a0c6d2e4b73"
const projectId = "c0a7e4d2-5b18-4f3e-a6c9-71d2e8b0f345"
const timerId = "e3d5b7a9-1c2f-4e60-8a4b-5f7c9d1e3a26"
const entryId = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"

const usage = {
  requests: 12,
  inputTokens: 48210,
  outputTokens: 9314,
  cacheReadTokens: 120400,
  cacheCreationTokens: 8200,
  costUsd: 0.42,
  models: ["claude-sonnet-4-5"],
  unpricedModels: []
}

const timer = {
  id: timerId,
  projectId,
  projectName: "Website redesign",
  taskId: null,
  description: "Checkout flow",
  source: "api",
  state: "running",
  startedAt: "2026-08-20T09:00:00.000Z",
  lastActivityAt: "2026-08-20T10:40:00.000Z",
  elapsedSeconds: 6300,
  heartbeats: 14,
  sessions: 1,
  pauses: 0,
  usage
}

const entry = {
  id: entryId,
  workspaceId,
  userId,
  projectId,
  taskId: null,
  timerId,
  description: "Checkout flow",
  startTime: "2026-08-20T09:00:00.000Z",
  endTime: "2026-08-20T10:45:00.000Z",
  durationSeconds: 6300,
  pausedSeconds: 0,
  billable: true,
  source: "api",
  createdByKeyId: "4d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a0f",
  stopReason: "manual",
  idempotencyKey: null,
  heartbeats: 14,
  sessions: 1,
  pauses: 0,
  lateHeartbeats: 0,
  firstActivityAt: "2026-08-20T09:00:00.000Z",
  lastActivityAt: "2026-08-20T10:40:00.000Z",
  gitBranch: "feature/checkout",
  createdAt: "2026-08-20T10:45:00.000Z",
  updatedAt: "2026-08-20T10:45:00.000Z",
  usage
}

const envelope = (id: string, type: string, occurredAt: string) => ({ id, type, occurredAt, workspaceId })

export const samples = {
  "entry.created": {
    ...envelope("0b6f0a52-8c1e-4a8e-9d7f-3e2a1c5b6d70", "entry.created", "2026-08-20T10:45:00.000Z"),
    data: { userId, entry }
  },
  "timer.started": {
    ...envelope("7d2e4f61-9a3b-4c8d-8e1f-2a3b4c5d6e7f", "timer.started", "2026-08-20T09:00:00.000Z"),
    data: { userId, timer: { ...timer, lastActivityAt: timer.startedAt, elapsedSeconds: 0 } }
  },
  "timer.stopped": {
    ...envelope("5c4b3a29-1817-4f6e-9d5c-4b3a29181706", "timer.stopped", "2026-08-20T10:45:00.000Z"),
    data: { userId, timer: { ...timer, state: "stopped" }, reason: "manual", entry }
  },
  "budget_threshold.crossed": {
    ...envelope("3e2d1c0b-a9f8-4e7d-8c6b-5a4f3e2d1c0b", "budget_threshold.crossed", "2026-08-20T10:45:00.000Z"),
    data: {
      userId,
      alertId: "8f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2918",
      projectId,
      projectName: "Website redesign",
      threshold: 80,
      metric: "hours",
      period: "2026-08",
      hoursUsed: 32.5,
      hoursLimit: 40,
      amountUsed: 3900,
      amountLimit: null,
      currency: "USD",
      hardCap: false,
      entryId
    }
  },
  project: {
    id: projectId,
    workspaceId,
    name: "Website redesign",
    color: "#3b82f6",
    hourlyRate: 120,
    budgetHours: 40,
    budgetAmount: null,
    budgetPeriod: "monthly",
    budgetHardCap: false,
    budgetIncludesAiCost: false,
    billable: true,
    archived: false,
    createdAt: "2026-08-01T08:00:00.000Z",
    updatedAt: "2026-08-01T08:00:00.000Z"
  },
  startedTimer: { ...timer, lastActivityAt: timer.startedAt, elapsedSeconds: 0, alreadyRunning: false, at: timer.startedAt },
  entry,
  timer
}
