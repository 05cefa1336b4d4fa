import { Effect, Option } from "effect"

/** The value of `found`, or the failure `missing` makes: the one shape of a not-found check. */
export const someOrFail = <A, E>(found: Option.Option<A>, missing: () => E): Effect.Effect<A, E> =>
  Option.match(found, { onNone: () => Effect.fail(missing()), onSome: Effect.succeed })
