import { Migrator } from "@effect/sql"
import m0001 from "./migrations/0001_initial.js"

/** Every migration, in order. Forward-only: add a new file, never edit one that has shipped. */
export const migrations = Migrator.fromRecord({
  "0001_initial": m0001
})
