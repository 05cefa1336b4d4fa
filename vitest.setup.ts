import { addEqualityTesters } from "@effect/vitest"
import { beforeAll } from "vitest"
import { openWorkerDatabase } from "./packages/domain/test/lib/ServiceTest.js"

addEqualityTesters()

beforeAll(() => openWorkerDatabase().then(() => undefined), 600_000)
