import { TargetRefused } from "@clockme/domain/contract/Integration"
import ipaddr from "ipaddr.js"
import { lookup } from "node:dns/promises"
import * as http from "node:http"
import * as https from "node:https"
import type { LookupFunction } from "node:net"
import { Config, Context, Data, Duration, Effect, Layer } from "effect"

export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** Name resolution, a port so tests can stub it (no test ever resolves or connects beyond loopback). */
export class Resolver extends Context.Tag("@clockme/integrations/Resolver")<
  Resolver,
  (hostname: string) => Effect.Effect<ReadonlyArray<ResolvedAddress>, Error>
>() {
  static readonly live = Layer.succeed(Resolver, (hostname) =>
    Effect.tryPromise({
      try: () => lookup(hostname, { all: true, verbatim: true }),
      catch: (cause) => new Error(`Could not resolve ${hostname}: ${String(cause)}`)
    }).pipe(Effect.map((all) => all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 as const : 4 as const })))))
}

const cidr = (text: string) => ipaddr.parseCIDR(text) as [ipaddr.IPv6, number]
const compatible = cidr("::/96")
const mapped = cidr("::ffff:0:0/96")
const nat64 = cidr("64:ff9b::/96")
const nat64Local = cidr("64:ff9b:1::/48")
const sixToFour = cidr("2002::/16")
const teredo = cidr("2001::/32")
const globalUnicast = cidr("2000::/3")

/** Where each NAT64 prefix length carries the IPv4 address (RFC 6052 §2.2; byte 8 is reserved). */
const nat64Bytes = [[6, 7, 9, 10], [7, 9, 10, 11], [9, 10, 11, 12], [12, 13, 14, 15]] as const

/**
 * The IPv4 addresses an IPv6 address stands for, when it is one of the ranges that reach IPv4 hosts:
 * IPv4-compatible and -mapped, NAT64 (the local-use /48 may use any prefix length, so every layout),
 * 6to4, and Teredo (its server, and its client, stored inverted).
 */
const embeddedIPv4 = (address: ipaddr.IPv6): ReadonlyArray<ipaddr.IPv4> | undefined => {
  const bytes = address.toByteArray()
  const pick = (indexes: ReadonlyArray<number>) => new ipaddr.IPv4(indexes.map((i) => bytes[i]!))
  if (address.match(compatible) || address.match(mapped) || address.match(nat64)) return [pick(nat64Bytes[3])]
  if (address.match(nat64Local)) return nat64Bytes.map(pick)
  if (address.match(sixToFour)) return [pick([2, 3, 4, 5])]
  if (address.match(teredo)) return [pick([4, 5, 6, 7]), new ipaddr.IPv4(bytes.slice(12).map((b) => b ^ 0xff))]
  return undefined
}

/**
 * Only global unicast addresses; loopback, private, link-local (metadata), ULA, CGNAT and the rest are not,
 * and neither is an IPv6 address that carries a non-public IPv4 one.
 */
export const isPublicAddress = (address: string): boolean => {
  if (!ipaddr.isValid(address)) return false
  const parsed = ipaddr.parse(address)
  if (parsed.kind() === "ipv4") return parsed.range() === "unicast"
  const v6 = parsed as ipaddr.IPv6
  const embedded = embeddedIPv4(v6)
  if (embedded !== undefined) return embedded.every((v4) => v4.range() === "unicast")
  return v6.match(globalUnicast) && v6.range() === "unicast"
}

export interface CheckedTarget {
  readonly url: URL
  readonly address: ResolvedAddress
}

const refuse = (url: string, why: string) => new TargetRefused({ url, message: `${url} is refused: ${why}` })

/**
 * Where a delivery may go: an https URL whose host resolves only to public addresses (or anything when
 * private targets are allowed). The address returned is the one to connect to, so a second DNS answer
 * (rebinding) cannot redirect the request.
 */
export const checkTarget = Effect.fn("Outbound.checkTarget")(function*(text: string, allowPrivate: boolean) {
  const resolve = yield* Resolver
  if (!URL.canParse(text)) return yield* refuse(text, "not a URL")
  const url = new URL(text)
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
    return yield* refuse(text, "only https URLs are allowed")
  }
  if (url.username !== "" || url.password !== "") return yield* refuse(text, "credentials in the URL are not allowed")
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
  const addresses: ReadonlyArray<ResolvedAddress> = ipaddr.isValid(host)
    ? [{ address: host, family: ipaddr.parse(host).kind() === "ipv6" ? 6 : 4 }]
    : yield* resolve(host).pipe(Effect.mapError((error) => refuse(text, error.message)))
  const first = addresses[0]
  if (first === undefined) return yield* refuse(text, `${host} has no address`)
  if (!allowPrivate) {
    const blocked = addresses.find((a) => !isPublicAddress(a.address))
    if (blocked !== undefined) {
      return yield* refuse(
        text,
        blocked.address === host
          ? `${host} is not a public address`
          : `${host} resolves to ${blocked.address}, which is not a public address`
      )
    }
  }
  return { url, address: first } satisfies CheckedTarget
})

export interface PostResult {
  readonly status: number
  readonly body: string
  readonly retryAfter: Duration.Duration | undefined
}

export class PostFailed extends Data.TaggedError("PostFailed")<{ readonly message: string }> {}

const pinnedLookup = (address: ResolvedAddress): LookupFunction => (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: address.address, family: address.family }])
  else callback(null, address.address, address.family)
}

const parseRetryAfter = (value: string | undefined) => {
  if (value === undefined) return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? Duration.seconds(Math.min(seconds, 86_400)) : undefined
}

const send = (target: CheckedTarget, body: string, headers: Record<string, string>, signal: AbortSignal) =>
  new Promise<PostResult>((resolve, reject) => {
    const module = target.url.protocol === "https:" ? https : http
    const request = module.request(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "ClockMe-Webhooks/1", ...headers },
      lookup: pinnedLookup(target.address),
      signal
    }, (response) => {
      const chunks: Array<Buffer> = []
      let size = 0
      response.on("data", (chunk: Buffer) => {
        if (size < 4096) chunks.push(chunk)
        size += chunk.length
      })
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8").slice(0, 1024),
          retryAfter: parseRetryAfter(response.headers["retry-after"] as string | undefined)
        }))
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end(body)
  })

/**
 * Outbound POSTs of every integration: the target is checked (and pinned) on every call, redirects are
 * never followed (a 3xx is just an answer), and the timeout runs on the Clock.
 */
export class Outbound extends Effect.Service<Outbound>()("@clockme/integrations/Outbound", {
  effect: Effect.gen(function*() {
    const allowPrivate = yield* Config.boolean("CLOCKME_WEBHOOKS_ALLOW_PRIVATE").pipe(Config.withDefault(false))
    const resolver = yield* Resolver

    const check = (url: string) => checkTarget(url, allowPrivate).pipe(Effect.provideService(Resolver, resolver))

    const post = Effect.fn("Outbound.post")(function*(
      url: string,
      body: string,
      headers: Record<string, string>,
      timeout: Duration.DurationInput
    ) {
      const target = yield* check(url)
      return yield* Effect.tryPromise({
        try: (signal) => send(target, body, headers, signal),
        catch: (cause) => new PostFailed({ message: cause instanceof Error ? cause.message : String(cause) })
      }).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new PostFailed({ message: `No answer within ${Duration.format(Duration.decode(timeout))}` })
        })
      )
    })

    return { check, post, allowPrivate } as const
  })
}) {}
