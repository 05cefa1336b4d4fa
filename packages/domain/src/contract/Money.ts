import { Schema } from "effect"

const hasAtMostTwoDecimals = (n: number) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6

/** An amount of money in the workspace currency, with at most two decimals. Stored as SQL numeric. */
export const Money = Schema.Number.pipe(
  Schema.finite(),
  Schema.nonNegative({ message: () => "must not be negative" }),
  Schema.lessThanOrEqualTo(1_000_000_000, { message: () => "must be at most 1,000,000,000" }),
  Schema.filter(hasAtMostTwoDecimals, { message: () => "must have at most two decimal places" })
).annotations({ identifier: "Money", description: "A non-negative amount with at most two decimals" })

export const Hours = Schema.Number.pipe(
  Schema.finite(),
  Schema.nonNegative({ message: () => "must not be negative" }),
  Schema.lessThanOrEqualTo(1_000_000, { message: () => "must be at most 1,000,000 hours" }),
  Schema.filter(hasAtMostTwoDecimals, { message: () => "must have at most two decimal places" })
).annotations({ identifier: "Hours", description: "A non-negative number of hours with at most two decimals" })

export const Currency = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{3}$/, { message: () => "must be an ISO 4217 code such as USD or EUR" })
).annotations({ identifier: "Currency" })

const scales = new Map<string, number>()

/** Minor units of a currency (0 for JPY, 2 for EUR), from the platform's ISO 4217 data; kept per code. */
export const minorUnits = (currency: string): number => {
  let scale = scales.get(currency)
  if (scale === undefined) {
    try {
      scale = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
    } catch {
      scale = 2
    }
    scales.set(currency, scale)
  }
  return scale
}

let unusual: string | undefined

/**
 * The minor units of every currency the platform knows that has other than two, as JSON `{"JPY":0,…}` keyed by
 * upper-case code, for SQL that rounds amounts where the currency is read (any code not in it has two).
 */
export const currencyScales = (): string => {
  if (unusual === undefined) {
    unusual = JSON.stringify(Object.fromEntries(
      Intl.supportedValuesOf("currency").map((code) => [code.toUpperCase(), minorUnits(code)]).filter(([, scale]) => scale !== 2)
    ))
  }
  return unusual
}
