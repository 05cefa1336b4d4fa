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

/** Minor units of a currency (0 for JPY, 2 for EUR), from the platform's ISO 4217 data. */
export const minorUnits = (currency: string): number => {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}
