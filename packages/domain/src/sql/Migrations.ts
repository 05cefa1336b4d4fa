import { Migrator } from "@effect/sql"
import m0001 from "./migrations/0001_initial.js"
import m0002 from "./migrations/0002_timer_sessions.js"
import m0003 from "./migrations/0003_budgets_outbox.js"
import m0004 from "./migrations/0004_rate_limits.js"
import m0005 from "./migrations/0005_domain_events.js"
import m0006 from "./migrations/0006_idempotency_scope.js"
import m0007 from "./migrations/0007_keys_audit.js"
import m0008 from "./migrations/0008_late_evidence.js"
import m0009 from "./migrations/0009_integrations.js"
import m0010 from "./migrations/0010_ai_usage.js"
import m0011 from "./migrations/0011_server_keys.js"
import m0012 from "./migrations/0012_inbound.js"
import m0013 from "./migrations/0013_sign_in.js"
import m0014 from "./migrations/0014_external_ids.js"
import m0015 from "./migrations/0015_long_running_timers.js"
import m0016 from "./migrations/0016_git_branch.js"
import m0017 from "./migrations/0017_ai_cost.js"
import m0018 from "./migrations/0018_inbound_verified.js"
import m0019 from "./migrations/0019_report_indexes.js"
import m0020 from "./migrations/0020_touch_function.js"
import m0021 from "./migrations/0021_timers_function.js"
import m0022 from "./migrations/0022_batch_functions.js"
import m0023 from "./migrations/0023_report_function.js"

/** Every migration, in order. Forward-only: add a new file, never edit one that has shipped. */
export const migrations = Migrator.fromRecord({
  "0001_initial": m0001,
  "0002_timer_sessions": m0002,
  "0003_budgets_outbox": m0003,
  "0004_rate_limits": m0004,
  "0005_domain_events": m0005,
  "0006_idempotency_scope": m0006,
  "0007_keys_audit": m0007,
  "0008_late_evidence": m0008,
  "0009_integrations": m0009,
  "0010_ai_usage": m0010,
  "0011_server_keys": m0011,
  "0012_inbound": m0012,
  "0013_sign_in": m0013,
  "0014_external_ids": m0014,
  "0015_long_running_timers": m0015,
  "0016_git_branch": m0016,
  "0017_ai_cost": m0017,
  "0018_inbound_verified": m0018,
  "0019_report_indexes": m0019,
  "0020_touch_function": m0020,
  "0021_timers_function": m0021,
  "0022_batch_functions": m0022,
  "0023_report_function": m0023
})
