import { addEqualityTesters, effect, flakyTest, it, layer, live, prop, scoped, scopedLive } from "@effect/vitest"

addEqualityTesters()

// @effect/vitest's `layer(…)` assigns its layer-bound testers onto the shared `it` object (vitest's own
// `it`). A worker that runs several files (isolate: false) would then give every later file's `it.effect`
// that file's layer, without TestClock: put the plain testers back before each file. (Fixed upstream for
// Effect 4 by Effect-TS/effect-smol#2177; the 0.30 line we use still mutates.)
Object.assign(it, { effect, flakyTest, layer, live, prop, scoped, scopedLive })
