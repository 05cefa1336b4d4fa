import { distance } from "fastest-levenshtein"

export const normalizeName = (name: string): string => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "")

const similarity = (a: string, b: string): number => {
  const longest = Math.max(a.length, b.length)
  return longest === 0 ? 1 : 1 - distance(a, b) / longest
}

export const FUZZY_THRESHOLD = 0.75

export interface Named {
  readonly name: string
}

/**
 * Finds the project a free-form name means: exact ignoring case, then ignoring separators and
 * punctuation (`my_project` = `My Project`), then (unless `fuzzy: false`) the closest name above the threshold.
 */
export const matchProjectName = <A extends Named>(
  query: string,
  candidates: ReadonlyArray<A>,
  options: { readonly fuzzy?: boolean } = {}
): { readonly match: A | undefined; readonly suggestions: ReadonlyArray<string> } => {
  const lower = query.trim().toLowerCase()
  const exact = candidates.find((c) => c.name.toLowerCase() === lower)
  if (exact) return { match: exact, suggestions: [] }
  const normalized = normalizeName(query)
  const loose = candidates.find((c) => normalizeName(c.name) === normalized)
  if (loose) return { match: loose, suggestions: [] }
  const scored = candidates
    .map((c) => ({ candidate: c, score: similarity(normalized, normalizeName(c.name)) }))
    .sort((a, b) => b.score - a.score || a.candidate.name.localeCompare(b.candidate.name))
  const best = scored[0]
  if (options.fuzzy !== false && best && best.score >= FUZZY_THRESHOLD && normalized.length >= 3) {
    return { match: best.candidate, suggestions: [] }
  }
  return { match: undefined, suggestions: scored.slice(0, 3).filter((s) => s.score > 0.2).map((s) => s.candidate.name) }
}
