import type { ComponentChildren } from "preact"

/** A labelled input: every control of the dashboard has a visible label. */
export const Field = (props: {
  readonly label: string
  readonly name: string
  readonly type?: "text" | "email" | "password" | "url" | "number" | "datetime-local"
  readonly autocomplete?: string
  readonly required?: boolean
  readonly minLength?: number
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
      minLength={props.minLength}
      value={props.value}
      onInput={(event) => props.onInput(event.currentTarget.value)}
    />
  </label>
)

/** A failure or notice, announced to screen readers. */
export const Notice = (props: { readonly kind: "error" | "info"; readonly children: ComponentChildren }) => (
  <p class={`notice ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>{props.children}</p>
)
