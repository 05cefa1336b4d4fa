import { createHmac, timingSafeEqual } from "node:crypto"

const HEX = /^[0-9a-f]+$/i

/**
 * Whether `given` (hex, as a header carries it) is the HMAC-SHA256 of `body` under `secret`. The comparison is on
 * decoded bytes of equal length, in constant time: a header that is not hex, of another length or with
 * characters outside ASCII is simply not a match (timingSafeEqual throws on buffers of different lengths).
 */
export const hmacSha256HexMatches = (secret: string, body: Uint8Array, given: string): boolean => {
  const expected = createHmac("sha256", secret).update(body).digest()
  if (given.length !== expected.length * 2 || !HEX.test(given)) return false
  return timingSafeEqual(Buffer.from(given, "hex"), expected)
}
