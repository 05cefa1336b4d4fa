import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { checkTarget, isPublicAddress, Resolver } from "../src/Outbound.js"

/** A resolver that answers from a table and never touches the network. */
const stub = (table: Record<string, ReadonlyArray<string>>) =>
  Layer.succeed(Resolver, (hostname) =>
    table[hostname] === undefined
      ? Effect.fail(new Error(`NXDOMAIN ${hostname}`))
      : Effect.succeed(table[hostname]!.map((address) => ({ address, family: address.includes(":") ? 6 as const : 4 as const }))))

const refused = (url: string, table: Record<string, ReadonlyArray<string>> = {}) =>
  Effect.map(Effect.exit(checkTarget(url, false).pipe(Effect.provide(stub(table)))), Exit.isFailure)

describe("the address check (stubbed resolver; nothing is ever sent)", () => {
  it("private, loopback, link-local, metadata, ULA, CGNAT and unspecified addresses are not public", () => {
    for (
      const address of [
        "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1", "169.254.169.254", "169.254.0.1",
        "127.0.0.1", "127.1.2.3", "0.0.0.0", "100.64.0.1", "::1", "::", "fc00::1", "fd00:ec2::254", "fe80::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "224.0.0.1", "255.255.255.255"
      ]
    ) expect([address, isPublicAddress(address)]).toEqual([address, false])
    for (const address of ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1", "11.0.0.1"]) {
      expect([address, isPublicAddress(address)]).toEqual([address, true])
    }
  })

  it("IPv6 spellings of IPv4 addresses are judged by the IPv4 address they carry", () => {
    // IPv4-compatible (::/96), mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16),
    // Teredo (2001::/32: server, and client inverted); 93.184.216.34 = 5db8:d822, 93.0.1.1 inverted = a2ff:fefe
    for (
      const address of [
        "::127.0.0.1", "::7f00:1", "::a9fe:a9fe", "::10.0.0.1", "::192.168.1.1", "::ffff:a9fe:a9fe", "::ffff:0:7f00:1",
        "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a9fe:a9fe", "64:ff9b:1:7f00:1::",
        "2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:a00:1::1",
        "2001:0:7f00:1::a2ff:fefe", "2001:0:5db8:d822::80ff:fffe", "2001:0:5db8:d822::5601:5601",
        "100::1", "4000::1", "2001:db8::1", "::2"
      ]
    ) expect([address, isPublicAddress(address)]).toEqual([address, false])
    for (
      const address of [
        "::93.184.216.34", "::ffff:93.184.216.34", "64:ff9b::5db8:d822", "64:ff9b:1:5d5d:5d:5d5d:5d5d:5d5d",
        "2002:5db8:d822::1", "2001:0:5db8:d822::a2ff:fefe", "2a00:1450:4001:82a::200e"
      ]
    ) expect([address, isPublicAddress(address)]).toEqual([address, true])
  })

  it.effect("names that resolve to a private address are refused, after resolution", () =>
    Effect.gen(function*() {
      const table = {
        "internal.example": ["10.1.2.3"],
        "metadata.example": ["169.254.169.254"],
        "ula.example": ["fd12:3456::1"],
        "mixed.example": ["93.184.216.34", "192.168.0.10"],
        "public.example": ["93.184.216.34"]
      }
      for (const host of ["internal.example", "metadata.example", "ula.example", "mixed.example"]) {
        expect([host, yield* refused(`https://${host}/hook`, table)]).toEqual([host, true])
      }
      const ok = yield* checkTarget("https://public.example/hook", false).pipe(Effect.provide(stub(table)))
      expect(ok.address).toEqual({ address: "93.184.216.34", family: 4 })
    }))

  it.effect("loopback in every spelling, plain http and credentials are refused", () =>
    Effect.gen(function*() {
      for (
        const url of [
          "https://127.0.0.1/", "https://127.1.2.3/", "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://2130706433/",
          "https://0x7f000001/", "https://0177.0.0.1/", "https://127.1/", "https://localhost/", "http://93.184.216.34/",
          "https://user:pass@public.example/", "ftp://public.example/", "https://[::127.0.0.1]/", "https://[::a9fe:a9fe]/",
          "https://[64:ff9b::a9fe:a9fe]/", "https://[2002:7f00:1::]/", "https://compat.example/"
        ]
      ) expect([url, yield* refused(url, {
        localhost: ["127.0.0.1"],
        "public.example": ["93.184.216.34"],
        "compat.example": ["::a9fe:a9fe"]
      })]).toEqual([url, true])
    }))

  it.effect("with private targets allowed, a loopback http receiver is fine", () =>
    Effect.gen(function*() {
      const ok = yield* checkTarget("http://127.0.0.1:9/x", true).pipe(Effect.provide(stub({})))
      expect(ok.address.address).toBe("127.0.0.1")
    }))
})
