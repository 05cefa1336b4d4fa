import { describe, expect, it } from "@effect/vitest"
import { randomBytes, randomUUID } from "node:crypto"
import { Either } from "effect"
import type { WorkspaceId } from "../src/contract/Ids.js"
import { decodeCursor, encodeCursor } from "../src/services/EventCursor.js"

const key = randomBytes(32)
const workspace = randomUUID() as WorkspaceId
const refusedField = (result: Either.Either<unknown, { readonly field: string }>) =>
  Either.isLeft(result) ? result.left.field : "accepted"

describe("event stream cursors", () => {
  it("a cursor decodes to the position it was made from, up to the largest xid8", () => {
    for (const position of [{ xid: "0", seq: 0 }, { xid: "745", seq: 12 }, { xid: "18446744073709551615", seq: 2 ** 53 - 1 }]) {
      const cursor = encodeCursor(key, workspace, position)
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(decodeCursor(key, workspace, cursor)).toEqual(Either.right(position))
    }
  })

  it("a changed byte, another workspace, another key or anything hand-made is refused as `after`", () => {
    const cursor = encodeCursor(key, workspace, { xid: "745", seq: 12 })
    const bytes = Buffer.from(cursor, "base64url")
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes)
      changed[i] = changed[i]! ^ 1
      expect([i, refusedField(decodeCursor(key, workspace, changed.toString("base64url")))]).toEqual([i, "after"])
    }
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    const last = alphabet.indexOf(cursor[42]!)
    for (let unused = 1; unused < 4; unused++) {
      const respelled = cursor.slice(0, 42) + alphabet[last ^ unused]
      expect(Buffer.from(respelled, "base64url")).toEqual(bytes)
      expect(refusedField(decodeCursor(key, workspace, respelled))).toBe("after")
    }
    expect(refusedField(decodeCursor(key, randomUUID() as WorkspaceId, cursor))).toBe("after")
    expect(refusedField(decodeCursor(randomBytes(32), workspace, cursor))).toBe("after")
    for (const madeUp of ["0.0", "2147483648.0", "745.12", "", cursor + "A", cursor.slice(1), `${cursor.slice(0, 42)}=`]) {
      expect([madeUp, refusedField(decodeCursor(key, workspace, madeUp))]).toEqual([madeUp, "after"])
    }
  })
})
