/** How request bodies decode: an unknown field is an error, and every bad field is reported at once. */
export const strictParse = { onExcessProperty: "error", errors: "all" } as const

/** The annotation that makes a payload schema decode with `strictParse`: `.annotations({ identifier, ...strict })`. */
export const strict = { parseOptions: strictParse } as const
