import type { ComponentChildren } from "preact"

/** A labelled input: every control of the dashboard has a visible label. */
export const Field = (props: {
  readonly label: string
  readonly name: string
  readonly type?: "text" | "email" | "password" | "url" | "number" | "date" | "time" | "datetime-local"
  readonly autocomplete?: string
  readonly required?: boolean
  readonly disabled?: boolean
  readonly minLength?: number
  readonly min?: string
  readonly max?: string
  readonly step?: string
  readonly value: string
  readonly onInput: (value: string) => void
}) => (
  <label class="field">
    <span>{props.label}</span>
    <input
      name={props.name}
      // preact types each input type apart; these share every attribute used here
      type={(props.type ?? "text") as "text"}
      autocomplete={props.autocomplete}
      required={props.required}
      disabled={props.disabled}
      minLength={props.minLength}
      min={props.min}
      max={props.max}
      step={props.step}
      value={props.value}
      onInput={(event) => props.onInput(event.currentTarget.value)}
    />
  </label>
)

/** A failure or notice, announced to screen readers. */
export const Notice = (props: { readonly kind: "error" | "info"; readonly children: ComponentChildren }) => (
  <p class={`notice ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>{props.children}</p>
)

/** A labelled choice among fixed options. */
export const Select = (props: {
  readonly label: string
  readonly name: string
  readonly value: string
  readonly options: ReadonlyArray<{ readonly value: string; readonly label: string }>
  readonly disabled?: boolean
  readonly onInput: (value: string) => void
}) => (
  <label class="field">
    <span>{props.label}</span>
    <select name={props.name} value={props.value} disabled={props.disabled} onInput={(event) => props.onInput(event.currentTarget.value)}>
      {props.options.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
    </select>
  </label>
)

/** A labelled checkbox. */
export const Check = (props: {
  readonly label: string
  readonly name: string
  readonly checked: boolean
  readonly disabled?: boolean
  readonly onInput: (checked: boolean) => void
}) => (
  <label class="check">
    <input
      type="checkbox"
      name={props.name}
      checked={props.checked}
      disabled={props.disabled}
      onInput={(event) => props.onInput(event.currentTarget.checked)}
    />
    <span>{props.label}</span>
  </label>
)
