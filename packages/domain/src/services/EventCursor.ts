import { createHmac, timingSafeEqual } from "node:crypto"
import { Either } from "effect"
import { InvalidInput } from "../contract/Errors.js"
import type { WorkspaceId } from "../contract/Ids.js"
import type { StreamPosition } from "../repos/EventsRepo.js"

const MAC_BYTES = 16
const CURSOR_BYTES = 16 + MAC_BYTES
const CURSOR = /^[A-Za-z0-9_-]{43}$/

const mac = (key: Uint8Array, workspaceId: WorkspaceId, position: Buffer) =>
  createHmac("sha256", key).update(`clockme event cursor\0${workspaceId}\0`).update(position).digest().subarray(0, MAC_BYTES)

const positionBytes = (position: StreamPosition) => {
  const bytes = Buffer.alloc(16)
  bytes.writeBigUInt64BE(BigInt(position.xid), 0)
  bytes.writeBigUInt64BE(BigInt(position.seq), 8)
  return bytes
}

/**
 * A position in one workspace's stream as an opaque cursor: the position and an HMAC-SHA256 of it and the
 * workspace under the server's key, so only cursors this server handed out for this workspace are read.
 */
export const encodeCursor = (key: Uint8Array, workspaceId: WorkspaceId, position: StreamPosition): string => {
  const bytes = positionBytes(position)
  return Buffer.concat([bytes, mac(key, workspaceId, bytes)]).toString("base64url")
}

const refused = new InvalidInput({
  field: "after",
  message: "after must be a nextCursor this API returned for this workspace (omit it to read from the start)"
})

export const decodeCursor = (
  key: Uint8Array,
  workspaceId: WorkspaceId,
  cursor: string
): Either.Either<StreamPosition, InvalidInput> => {
  if (!CURSOR.test(cursor)) return Either.left(refused)
  const bytes = Buffer.from(cursor, "base64url")
  // the last character carries two unused bits: only the spelling the server wrote is its cursor
  if (bytes.length !== CURSOR_BYTES || bytes.toString("base64url") !== cursor) return Either.left(refused)
  const position = bytes.subarray(0, 16)
  if (!timingSafeEqual(bytes.subarray(16), mac(key, workspaceId, position))) return Either.left(refused)
  return Either.right({ xid: position.readBigUInt64BE(0).toString(), seq: Number(position.readBigUInt64BE(8)) })
}
