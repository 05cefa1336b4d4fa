import { DateTime } from "effect"
import { useEffect, useState } from "preact/hooks"

/** Copies `text`; says so to screen readers once done. */
export const CopyButton = (props: { readonly text: string; readonly label: string }) => {
  const [copied, setCopied] = useState(false)
  return (
    <button
      type="button"
      aria-label={props.label}
      onClick={() =>
        void navigator.clipboard.writeText(props.text).then(() => {
          setCopied(true)
          setTimeout(() => setCopied(false), 2000)
        })}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  )
}

/** A labelled choice among fixed values. */
export const Choice = <A extends string>(props: {
  readonly label: string
  readonly name: string
  readonly value: A
  readonly options: ReadonlyArray<readonly [A, string]>
  readonly onChange: (value: A) => void
}) => (
  <label class="field">
    <span>{props.label}</span>
    <select name={props.name} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value as A)}>
      {props.options.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
    </select>
  </label>
)

/** A date and time a person reads, in their browser's timezone; "—" for none. */
export const when = (at: DateTime.Utc | null) =>
  at === null ? "—" : new Date(DateTime.toEpochMillis(at)).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })

/** An ISO instant from a `datetime-local` input's value, or undefined for an empty one. */
export const instantOf = (local: string): string | undefined => local === "" ? undefined : new Date(local).toISOString()

/** Loads once and again on `reload()`, keeping the last answer while a new one comes. */
export const useLoad = <A,>(load: () => Promise<A>, deps: ReadonlyArray<unknown> = []) => {
  const [value, setValue] = useState<A | null>(null)
  const [round, setRound] = useState(0)
  useEffect(() => {
    let live = true
    void load().then((next) => live && setValue(next))
    return () => {
      live = false
    }
  }, [round, ...deps])
  return { value, reload: () => setRound((n) => n + 1) }
}
